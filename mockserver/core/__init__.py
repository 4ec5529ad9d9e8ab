"""The mock's core: storage, the engine and the dialect registry; nothing about HTTP or the dev tools."""
