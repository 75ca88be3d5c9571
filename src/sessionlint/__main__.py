from sessionlint.cli import main

raise SystemExit(main())
