"""cashbook: the cashier's (出纳) and accountant's (会计) book as plain-text TOML day files."""

__version__ = "0.1.0"
