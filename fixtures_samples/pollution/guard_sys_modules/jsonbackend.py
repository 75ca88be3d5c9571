NAME = "real"
