"""docs/api.md stays in step with the estimators' signatures and docstrings.

For every public name of ``skreg``: the reference lists the same parameters
as ``__init__`` (or the function's signature), in the same order, with the
same defaults; the numpydoc ``Parameters`` section agrees on those defaults;
and for classes the reference lists the docstring's fitted attributes.
Changing an estimator without updating docs/api.md fails here.
"""

import ast
import inspect
import re
from pathlib import Path

import pytest

import skreg

API = Path(__file__).parents[1] / "docs" / "api.md"
REQUIRED = "required"


def literal(text):
    """A default as a Python value when it is a literal, else the bare text."""
    text = text.strip().strip("`").strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def numpydoc_section(doc, title):
    """Entries of one numpydoc section: a list of (name, type text) pairs.

    Entry lines start at the section's left margin; descriptions are
    indented. A trailing backslash continues the type on the next line, and
    ``a, b : float, default=1, 2`` documents two parameters at once.
    """
    lines = inspect.cleandoc(doc).splitlines()
    start = margin = None
    for i in range(len(lines) - 1):
        underline = lines[i + 1].strip()
        if lines[i].strip() == title and underline and set(underline) == {"-"}:
            # The header's own indentation is the margin: one badly indented
            # line elsewhere can stop cleandoc from removing the common indent.
            start, margin = i + 2, len(lines[i]) - len(lines[i].lstrip())
            break
    if start is None:
        return []
    entries, i = [], start
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and lines[i + 1].strip() and \
                set(lines[i + 1].strip()) == {"-"}:
            break  # the next section's header
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent == margin:
            while line.endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line[:-1].rstrip() + " " + lines[i].strip()
            names, _, kind = line.strip().partition(":")
            entries.append((names.strip(), kind.strip()))
        i += 1
    return entries


def docstring_parameters(obj):
    """{name: default} from the Parameters section (REQUIRED when no default)."""
    params = {}
    for names, kind in numpydoc_section(obj.__doc__, "Parameters"):
        names = [n.strip() for n in names.split(",")]
        match = re.search(r"default=(.*)$", kind)
        if match is None:
            defaults = [REQUIRED] * len(names)
        elif len(names) == 1:
            defaults = [literal(match.group(1))]
        else:
            defaults = [literal(d) for d in match.group(1).split(",")]
        assert len(defaults) == len(names), (obj, names)
        params.update(zip(names, defaults, strict=True))
    return params


def docstring_attributes(obj):
    names = []
    for entry, _ in numpydoc_section(obj.__doc__, "Attributes"):
        names.extend(n.strip() for n in entry.split(","))
    return names


def signature_parameters(obj):
    function = obj.__init__ if inspect.isclass(obj) else obj
    return {
        name: REQUIRED if p.default is p.empty else p.default
        for name, p in inspect.signature(function).parameters.items()
        if name != "self"
    }


def api_sections():
    """{public name: {"Parameters": [(name, default)], "Fitted attributes": [...]}}."""
    sections, current, table = {}, None, None
    for line in API.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^## `(\w+)`", line)
        if header:
            current = sections.setdefault(header.group(1), {})
            table = None
            continue
        label = re.match(r"^\*\*(Parameters|Fitted attributes)\*\*", line)
        if label and current is not None:
            table = current.setdefault(label.group(1), [])
            continue
        row = re.match(r"^\| `(\w+)` \| ([^|]*) \|", line)
        if row and table is not None:
            table.append((row.group(1), row.group(2).strip()))
    return sections


PUBLIC = sorted(skreg.__all__)


def test_parser_reads_a_numpydoc_docstring():
    # The checks below are only as good as the parser: exercise its corners.
    def f():
        """Summary.

        Parameters
        ----------
        a : float, default=1e-4
            Text.
        b : {'x', 'y'} or ndarray of shape (2, 2), \\
                default='x'
        c, d : int, default=1, 2
        e : array-like

        Attributes
        ----------
        coef_ : ndarray
        n_iter_ : int
            Text.
        """

    assert docstring_parameters(f) == {"a": 1e-4, "b": "x", "c": 1, "d": 2,
                                       "e": REQUIRED}
    assert docstring_attributes(f) == ["coef_", "n_iter_"]


def test_api_reference_covers_every_public_name():
    assert set(api_sections()) == set(skreg.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_api_parameters_match_signature(name):
    obj = getattr(skreg, name)
    documented = api_sections()[name].get("Parameters", [])
    signature = signature_parameters(obj)
    assert [n for n, _ in documented] == list(signature)
    for param, default in documented:
        expected = signature[param]
        got = REQUIRED if default == REQUIRED else literal(default)
        assert got == expected and type(got) is type(expected), (
            f"docs/api.md: {name}({param}=...) says {default}, the signature "
            f"says {expected!r}")


@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_parameters_match_signature(name):
    obj = getattr(skreg, name)
    documented = docstring_parameters(obj)
    signature = signature_parameters(obj)
    assert set(documented) == set(signature)
    for param, default in documented.items():
        assert default == signature[param], (
            f"{name} docstring: {param} default={default!r}, signature "
            f"{signature[param]!r}")


@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_parameter_order_matches_signature(name):
    # numpydoc's PR03 ("wrong parameters order"): help() and the rendered docs
    # should list the parameters in the order the signature takes them.
    obj = getattr(skreg, name)
    assert list(docstring_parameters(obj)) == list(signature_parameters(obj))


@pytest.mark.parametrize("name", [n for n in PUBLIC
                                  if inspect.isclass(getattr(skreg, n))])
def test_api_attributes_match_docstring(name):
    in_docstring = docstring_attributes(getattr(skreg, name))
    assert in_docstring, f"{name} documents no fitted attributes"
    documented = [n for n, _ in api_sections()[name].get("Fitted attributes", [])]
    assert sorted(documented) == sorted(in_docstring)


ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", ROOT / "docs" / "guide.md", API,
         ROOT / "examples" / "README.md"]


def test_readme_keeps_the_two_commands_ci_runs():
    top = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("pip install -e . && python -m skreg demo")
               for line in top)
    assert any(line.startswith('pip install -e ".[test]" && pytest') for line in top)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_resolve(page):
    text = page.read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#\s]+)", text)
               if "://" not in t]
    assert targets or page == API
    for target in targets:
        assert (page.parent / target).exists(), f"{page.name} links to {target}"


def test_readme_python_example_runs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"print": lambda *a: None})
