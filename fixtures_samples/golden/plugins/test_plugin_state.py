def test_bump(state):
    state["count"] += 1  # expect: SLK201
