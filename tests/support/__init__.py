"""Helpers the test modules share. Test modules import from here, never from one another."""
