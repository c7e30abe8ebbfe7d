"""The portal screens the benchmarks load."""

from __future__ import annotations

# The dashboard: the customer, 5 recent invoices with their lines, open orders and open cases.
DASHBOARD = """
query Dashboard {
  viewer {
    customer {
      companyName
      balance { amount currency }
      invoices(first: 5) {
        totalCount
        nodes {
          tranId dueDate status amountRemaining { amount currency }
          lines { item { itemId } quantity amount { amount } }
        }
      }
      salesOrders(first: 5, filter: { open: true }) { nodes { tranId status total { amount currency } } }
      supportCases(first: 5, filter: { open: true }) { nodes { caseNumber title status priority } }
    }
  }
}
"""

INVOICE_PAGE = """
query Invoices($first: Int!, $after: String) {
  viewer {
    customer {
      invoices(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { tranId dueDate status total { amount currency } }
      }
    }
  }
}
"""

__all__ = ["DASHBOARD", "INVOICE_PAGE"]
