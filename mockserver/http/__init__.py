"""The mock over HTTP: the connexion app, the guard in front of it, routing and the console log."""
