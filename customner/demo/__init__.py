"""The bundled demo project: a small labeled corpus for the demo server and the tests."""
