/* What shops publishes of accounts: the directory the gateway refreshes sessions from, without shops. */

export interface AccountOpened {
  accountId: string;
  role: 'CUSTOMER' | 'OWNER' | 'ADMIN';
}

export interface AccountClosed {
  accountId: string;
}
