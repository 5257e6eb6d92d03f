from jasic_kg.cli import main

main()
