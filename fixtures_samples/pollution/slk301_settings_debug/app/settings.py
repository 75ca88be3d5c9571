DEBUG = False
SECRET = "s3cr3t"
