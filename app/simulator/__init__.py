"""The demo city: a backend service that feeds a realistic Ho Chi Minh City day into the hub."""
