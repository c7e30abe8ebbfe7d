"""SuiteQL over real HTTP: NetSuite's envelope, paging rules, values, errors and row restriction."""

from __future__ import annotations

import re

import pytest


def detail(response) -> dict:
    assert response.status_code == 400, response.text
    entry = response.json()["o:errorDetails"][0]
    assert entry["o:errorCode"] == "INVALID_PARAMETER"
    return entry


async def test_paging_envelope_and_links(seeded):
    total = seeded.sql("SELECT COUNT(*) FROM customer")[0][0]
    response = await seeded.suiteql("SELECT id FROM customer ORDER BY id", who="admin", limit=5, offset=5)
    page = response.json()
    expected = [str(row[0]) for row in seeded.sql("SELECT id FROM customer ORDER BY id LIMIT 5 OFFSET 5")]
    assert [item["id"] for item in page["items"]] == expected
    assert all(item["links"] == [] for item in page["items"])
    assert (page["count"], page["offset"], page["totalResults"], page["hasMore"]) == (5, 5, total, total > 10)
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert links["self"].endswith("/services/rest/query/v1/suiteql?limit=5&offset=5")
    assert links["first"].endswith("offset=0") and links["prev"].endswith("offset=0")
    assert links["last"].endswith(f"offset={(total - 1) // 5 * 5}")


@pytest.mark.parametrize(
    ("query", "param"),
    [({"limit": 1001}, "limit"), ({"limit": 0}, "limit"), ({"limit": 5, "offset": 3}, "offset")],
)
async def test_paging_rules(seeded, query, param):
    response = await seeded.suiteql("SELECT id FROM customer", who="admin", **query)
    assert detail(response)["o:errorQueryParam"] == param


async def test_bound_parameters(seeded):
    cid = seeded.customer["customer_id"]
    email = seeded.sql("SELECT email FROM customer WHERE id = ?", cid)[0][0]
    response = await seeded.suiteql("SELECT id FROM customer WHERE email = ?", who="admin", params=[email])
    assert [item["id"] for item in response.json()["items"]] == [str(cid)]
    # A quote in a bound value is data, never SQL.
    quoted = await seeded.suiteql(
        "SELECT id FROM customer WHERE email = ?", who="admin", params=["x' OR '1'='1"]
    )
    assert quoted.json()["items"] == []
    mismatch = await seeded.suiteql(
        "SELECT id FROM customer WHERE id = ? AND id = ?", who="admin", params=["1"]
    )
    assert detail(mismatch)["o:errorQueryParam"] == "q"


async def test_values_are_strings_nulls_omitted_booleans_t_f_dates_in_the_user_format(seeded):
    cid = seeded.customer["customer_id"]
    seeded.sql("UPDATE customer SET companyname = NULL, creditlimit = 2500.5 WHERE id = ?", cid)
    response = await seeded.suiteql(
        "SELECT id, companyname, creditlimit, isinactive, datecreated, "
        "TO_CHAR(datecreated, 'YYYY-MM-DD') AS created FROM customer WHERE id = ?",
        params=[cid],
    )
    (row,) = response.json()["items"]
    created = seeded.sql("SELECT datecreated FROM customer WHERE id = ?", cid)[0][0]
    assert "companyname" not in row
    assert row["id"] == str(cid) and row["creditlimit"] == "2500.5" and row["isinactive"] in ("T", "F")
    assert row["created"] == created[:10]
    year, month, day = (int(part) for part in created[:10].split("-"))
    assert re.fullmatch(rf"{month}/{day}/{year} \d{{1,2}}:\d{{2}} [ap]m", row["datecreated"])
    invoice = await seeded.suiteql(
        "SELECT trandate FROM transaction WHERE entity = ? AND type = 'CustInvc'", params=[cid], limit=1
    )
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", invoice.json()["items"][0]["trandate"])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT foreignamountremaining FROM transaction",
            "Search error occurred: Unknown identifier 'foreignamountremaining'.",
        ),
        ("SELECT balance FROM customer", "Search error occurred: Unknown identifier 'balance'."),
        (
            "SELECT id FROM transactiontablethatdoesnotexist",
            "Invalid search type: transactiontablethatdoesnotexist.",
        ),
        ("SELEC id FROM customer", "Search error occurred: Invalid or unsupported search."),
    ],
)
async def test_errors_are_netsuites_bodies(seeded, query, message):
    response = await seeded.suiteql(query, who="admin")
    body = response.json()
    assert body["type"] == "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1"
    assert body["title"] == "Bad Request" and body["status"] == 400
    entry = detail(response)
    assert entry["o:errorQueryParam"] == "q"
    assert entry["detail"].startswith("Invalid search query. Detailed unprocessed description follows. ")
    assert message in entry["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT id FROM customer",
        "SELECT c.id FROM customer c WHERE c.id > 0 OR 1 = 1",
        "SELECT id FROM (SELECT id FROM customer) x",
        "WITH mine AS (SELECT id FROM customer) SELECT id FROM mine",
        "SELECT c.id FROM transaction t JOIN customer c ON c.id = t.entity GROUP BY c.id",
        "SELECT id FROM customer UNION SELECT entity FROM transaction",
    ],
)
async def test_a_customer_token_sees_only_its_rows_whatever_the_query(seeded, query):
    cid, sub = seeded.customer["customer_id"], seeded.sub_customer_id
    response = await seeded.suiteql(query)
    assert response.status_code == 200, response.text
    ids = {item["id"] for item in response.json()["items"] if "id" in item}
    assert ids <= {str(cid), str(sub)}


async def test_a_customer_token_counts_only_its_transactions(seeded):
    cid, sub = seeded.customer["customer_id"], seeded.sub_customer_id
    expected = seeded.sql('SELECT COUNT(*) FROM "transaction" WHERE entity IN (?, ?)', cid, sub)[0][0]
    response = await seeded.suiteql("SELECT COUNT(*) AS n FROM transaction")
    assert response.json()["items"][0]["n"] == str(expected)
    admin = await seeded.suiteql("SELECT COUNT(*) AS n FROM transaction", who="admin")
    assert int(admin.json()["items"][0]["n"]) > expected
    denied = await seeded.suiteql("SELECT id FROM employee")
    assert "Record 'employee' was not found." in detail(denied)["detail"]
