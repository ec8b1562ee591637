from flaskmod.cli import main

main()
