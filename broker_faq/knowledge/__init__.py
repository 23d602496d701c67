"""The knowledge room: loading and validating the knowledge files (loader.py), the vocabulary of the
reading (vocabulary.py) and the one runtime holder that reloads them (runtime.py)."""
