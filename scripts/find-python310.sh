#!/usr/bin/env bash
# Print a working Python 3.10 interpreter (Rasa 3.6 does not install on 3.11+). A pyenv shim
# named python3.10 may exist without working, so each candidate is actually run.
for candidate in "${PYTHON310:-}" python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10 \
                 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /root/.pyenv/versions/3.10*/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    "$candidate" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "Python 3.10 not found: install it (e.g. pyenv install 3.10) or set PYTHON310=/path/to/python3.10" >&2
exit 1
