// GraphQL documents shared by the portal page and GraphiQL (its default editor content).

// Every dashboard widget comes from this one request: one round trip from the browser, and
// the server batches what it needs from NetSuite behind it.
export const DASHBOARD_QUERY = `query Dashboard {
  viewer {
    customer {
      id
      entityId
      companyName
      email
      phone
      currency
      balance { amount currency }
      overdueBalance { amount currency }
      defaultBillingAddress { addr1 addr2 city state zip country }
      invoices(first: 10, filter: { open: true }) {
        totalCount
        nodes {
          id
          tranId
          tranDate
          dueDate
          status
          isOverdue
          total { amount currency }
          amountRemaining { amount currency }
        }
      }
      salesOrders(first: 5) {
        totalCount
        nodes {
          id
          tranId
          tranDate
          status
          total { amount currency }
        }
      }
      supportCases(first: 10, filter: { open: true }) {
        totalCount
        nodes {
          id
          caseNumber
          title
          status
          priority
          createdDate
        }
      }
    }
  }
}
`;

export const UPDATE_CONTACT_MUTATION = `mutation UpdateContactInfo($input: UpdateContactInfoInput!) {
  updateContactInfo(input: $input) {
    customer { id email phone }
  }
}
`;

export const CREATE_CASE_MUTATION = `mutation CreateSupportCase($input: CreateSupportCaseInput!) {
  createSupportCase(input: $input) {
    supportCase { id caseNumber title status priority createdDate }
  }
}
`;
