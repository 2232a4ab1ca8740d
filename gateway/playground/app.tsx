import './workers';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { useGraphiQL } from '@graphiql/react';
import { GraphiQL } from 'graphiql';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';

/*
 * Baedal's playground: GraphiQL with its doc explorer and query builder,
 * bundled from npm at build time and served by the gateway, so nothing loads
 * from outside. Subscriptions run live in it, over graphql-ws. What the gateway decides (the endpoint, the README's sample
 * tabs, whether demo sign-in is offered) arrives as JSON in the page.
 */

interface PlaygroundConfig {
  endpoint: string;
  tabs: { query: string; variables?: string }[];
  /** Demo accounts offered for one-click sign-in (development only; none in production). */
  demoAccounts: { label: string; email: string; password: string }[];
}

const config = JSON.parse(document.getElementById('baedal-playground')!.textContent) as PlaygroundConfig;

// A link may carry its own operation (?query=…&variables=…): it opens first, beside the samples.
const params = new URLSearchParams(location.search);
const linked = params.get('query');
const tabs = linked
  ? [{ query: linked, variables: params.get('variables') ?? undefined }, ...config.tabs]
  : config.tabs;

// Subscriptions run over graphql-ws at the same path; the header editor's Authorization goes in connection_init.
const fetcher = createGraphiQLFetcher({
  url: config.endpoint,
  subscriptionUrl: new URL(config.endpoint, location.href).href.replace(/^http/, 'ws'),
});

function DemoSignIn() {
  const headerEditor = useGraphiQL((state) => state.headerEditor);
  const [status, setStatus] = useState('');
  const signIn = async ({ label, email, password }: PlaygroundConfig['demoAccounts'][number]) => {
    setStatus(`signing in as ${label}…`);
    const response = await fetch(config.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation DemoSignIn($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
        variables: { email, password },
      }),
    });
    const answer = (await response.json()) as { data?: { login?: { token: string } }; errors?: { message: string }[] };
    const token = answer.data?.login?.token;
    if (!token) {
      setStatus(answer.errors?.[0]?.message ?? `HTTP ${response.status}`);
      return;
    }
    headerEditor?.setValue(JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2));
    setStatus(`Signed in as ${label}: the Authorization header is set in Headers below.`);
  };
  return (
    <div className="baedal-demo-sign-in">
      <div className="graphiql-doc-explorer-title">Demo sign-in</div>
      <p>Development only. Each button signs in and puts the token in the request headers.</p>
      {config.demoAccounts.map((account) => (
        <button key={account.email} type="button" className="graphiql-button" onClick={() => void signIn(account)}>
          {account.label} ({account.email})
        </button>
      ))}
      <p role="status">{status}</p>
    </div>
  );
}

function KeyIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden>
      <circle cx="8" cy="15" r="4" />
      <path d="M11 12l8-8m-3 3l2 2m-4 0l2 2" />
    </svg>
  );
}

const demoPlugin = {
  title: 'Demo sign-in',
  icon: KeyIcon,
  content: DemoSignIn,
};

const plugins = [explorerPlugin(), ...(config.demoAccounts.length > 0 ? [demoPlugin] : [])];

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={plugins}
    defaultTabs={tabs}
    defaultEditorToolsVisibility={true}
    isHeadersEditorEnabled={true}
  />,
);
