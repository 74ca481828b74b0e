import Hummingbird

/// The demo single-page app at `/`: plain HTML and JavaScript, no build step. It signs in
/// through `/bff/login`, shows the user from `/bff/user`, calls `/api/<first upstream>/…` with
/// `X-CSRF: 1`, and signs out with a form POST to `/bff/logout` carrying the logout token. It
/// never sees a token: the browser holds only the BFF's HttpOnly cookie.
enum DemoPage {
    static func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    .contentSecurityPolicy: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'",
                ],
                body: .init(byteBuffer: ByteBuffer(string: html))
            )
        }
    }

    static let html = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>TokenLedger BFF demo</title>
        <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap}</style>
        </head>
        <body>
        <h1>TokenLedger BFF demo</h1>
        <p id="status">Loading…</p>
        <p>
          <button id="login" hidden>Sign in</button>
          <label id="api-label" hidden>API path <input id="api-path" value="/api/demo/me"></label>
          <button id="call" hidden>Call the API</button>
        </p>
        <form id="logout" method="post" action="/bff/logout" hidden>
          <input type="hidden" name="csrf" id="logout-csrf">
          <button type="submit">Sign out</button>
        </form>
        <pre id="result"></pre>
        <script>
        const show = (id, visible) => { document.getElementById(id).hidden = !visible; };
        async function load() {
          const answer = await fetch('/bff/user', { credentials: 'same-origin' });
          if (answer.status === 401) {
            document.getElementById('status').textContent = 'Signed out.';
            show('login', true);
            return;
          }
          const user = await answer.json();
          const name = user.claims.name || user.claims.preferred_username || user.sub;
          document.getElementById('status').textContent = 'Signed in as ' + name + '.';
          document.getElementById('status').dataset.user = name;
          document.getElementById('logout-csrf').value = user.logout_csrf;
          show('logout', true); show('call', true); show('api-label', true);
        }
        document.getElementById('login').onclick = () => {
          location.href = '/bff/login?returnTo=' + encodeURIComponent(location.pathname);
        };
        document.getElementById('call').onclick = async () => {
          const path = document.getElementById('api-path').value;
          const answer = await fetch(path, { headers: { 'X-CSRF': '1' }, credentials: 'same-origin' });
          document.getElementById('result').textContent = answer.status + '\\n' + await answer.text();
          document.getElementById('result').dataset.status = String(answer.status);
        };
        load();
        </script>
        </body>
        </html>
        """
}
