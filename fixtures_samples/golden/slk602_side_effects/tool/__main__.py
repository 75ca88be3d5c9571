from tool.cli import main

if __name__ == "__main__":  # an import skips it
    main()
