"""``python -m jingzhun``: the same as the ``jingzhun`` command."""

from jingzhun.cli import run

if __name__ == "__main__":  # a spawned worker imports this module under another name: it must not run
    run()
