# The project root holds the app package.
