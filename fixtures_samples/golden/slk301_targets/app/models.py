class User:
    default_role = "viewer"
