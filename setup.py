"""The wheel carries the ``resources`` folder inside the package (``qwtimer/resources``), where
:func:`qwtimer.paths.resource` finds it once installed; everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithResources(build_py):
    """``build_py`` that also copies ``resources/`` to ``qwtimer/resources`` in the build."""

    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "resources"
        self.copy_tree(str(source), str(Path(self.build_lib) / "qwtimer" / "resources"))


setup(cmdclass={"build_py": BuildWithResources})
