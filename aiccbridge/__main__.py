from aiccbridge.cli import main

main()
