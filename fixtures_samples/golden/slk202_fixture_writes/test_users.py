def test_admin(admin, module_flags, restored_admin, private_copy, session_setup):
    assert admin == "admin"
