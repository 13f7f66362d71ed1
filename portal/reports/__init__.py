"""The programme's figures for the ministry, the ESF and the city."""
