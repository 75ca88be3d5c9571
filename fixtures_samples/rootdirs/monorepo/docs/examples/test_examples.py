def test_snippets(snippets):
    snippets["intro"] = "..."  # expect: SLK201


def test_pages(pages, registry):
    # docs/conftest.py lies above --confcutdir=examples and conftest.py above docs' rootdir:
    # pytest run from docs loads neither
    pages.append("intro")
    registry.append("docs")
