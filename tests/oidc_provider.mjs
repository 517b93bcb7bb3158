// A real OpenID Connect provider for tests/test_hub.py: panva's oidc-provider (npm), with
// its own login and consent pages (devInteractions). The accounts and the one client come
// from environment variables; each account's roles are a claim, as a school's provider
// gives them.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS); // {login: {name, roles}}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  claims: { openid: ["sub"], profile: ["name", "preferred_username"], roles: ["roles"] },
  scopes: ["openid", "profile", "roles"],
  conformIdTokenClaims: false, // the claims in the userinfo response, as JupyterHub reads them
  cookies: { keys: [process.env.OIDC_CLIENT_SECRET] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: account.name, roles: account.roles };
      },
    };
  },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider luistert op http://127.0.0.1:${port}`);
});
