from support.portal import Portal


async def test_a_signed_in_customer_reads_their_own_profile(portal: Portal):
    user = portal.users[0]
    async with portal.browser() as browser:
        landed = await portal.sign_in(browser, user)
        assert landed.status_code == 302 and landed.headers["location"] == "/"
        data = await portal.graphql(browser, "{ viewer { customer { entityId companyName } } }")
    (name,) = portal.db.execute(
        "SELECT companyname FROM customer WHERE id = ?", (user["customer_id"],)
    ).fetchone()
    assert data["viewer"]["customer"]["companyName"] == name
