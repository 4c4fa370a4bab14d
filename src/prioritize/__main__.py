from prioritize.cli import main

raise SystemExit(main())
