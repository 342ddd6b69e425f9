import Foundation

/// The dashboard: one self-contained page (inline CSS, JS and SVG; no CDN, no external request but the
/// issuer's token endpoint when signing in).
///
/// It calls the API with a bearer token kept in sessionStorage: from signing in through the OIDC issuer
/// (authorization code + PKCE, S256, with state and nonce; `GET /dashboard/config` gives the endpoints and
/// client id), pasted at login, or given as `#token=...`; with auth off it needs none. Live logs read
/// `/logs?follow=true` with fetch, since EventSource cannot send an Authorization header.
enum DashboardPage {
    /// The page's Content-Security-Policy: its own origin, plus the issuer's token endpoint for the sign-in.
    static func contentSecurityPolicy(tokenEndpoint: String?) -> String {
        var connect = "'self'"
        if let tokenEndpoint, let url = URL(string: tokenEndpoint), let scheme = url.scheme, let host = url.host,
           scheme == "https" || scheme == "http", host.allSatisfy({ $0.isLetter || $0.isNumber || ".-:[]".contains($0) }) {
            connect += " \(scheme)://\(host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)\(url.port.map { ":\($0)" } ?? "")"
        }
        return "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src \(connect); base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>PyBak</title>
        <style>
        :root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --muted:#6b7385; --ok:#1f9d55; --warn:#c98a04; --bad:#d64545; --run:#2f6fde; --line:#e3e6ec; }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
        header { display:flex; align-items:center; gap:16px; padding:12px 24px; background:#1d2330; color:#fff; }
        header h1 { font-size:18px; margin:0; letter-spacing:.5px; }
        header .spacer { flex:1; }
        header button, .login button { background:#2f6fde; color:#fff; border:0; border-radius:6px; padding:6px 12px; cursor:pointer; }
        main { padding:20px 24px; display:grid; gap:20px; }
        h2 { font-size:15px; margin:0 0 10px; color:var(--muted); text-transform:uppercase; letter-spacing:.6px; }
        .cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(260px, 1fr)); gap:14px; }
        .card, .panel { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
        .card h3 { margin:0 0 8px; font-size:16px; display:flex; justify-content:space-between; align-items:center; }
        .badge { font-size:12px; padding:2px 8px; border-radius:10px; color:#fff; background:var(--muted); }
        .succeeded { background:var(--ok); } .partial { background:var(--warn); } .failed { background:var(--bad); } .running { background:var(--run); }
        dl { display:grid; grid-template-columns:auto 1fr; gap:2px 12px; margin:0; }
        dt { color:var(--muted); } dd { margin:0; text-align:right; font-variant-numeric:tabular-nums; }
        .progress { height:6px; background:var(--line); border-radius:3px; margin-top:8px; overflow:hidden; }
        .progress div { height:100%; background:var(--run); }
        table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
        th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
        th { color:var(--muted); font-weight:600; }
        td.num { text-align:right; }
        a { color:var(--run); text-decoration:none; } a:hover { text-decoration:underline; }
        #logs { font:12px/1.5 ui-monospace, Menlo, monospace; max-height:320px; overflow:auto; background:#11151d; color:#cfd6e4; border-radius:8px; padding:10px; }
        #logs .error, #logs .critical { color:#ff7b7b; } #logs .warning { color:#f3c969; } #logs .time { color:#7d879c; }
        .login { max-width:520px; margin:60px auto; }
        .login textarea { width:100%; height:110px; font:12px ui-monospace, monospace; }
        .muted { color:var(--muted); } .error-text { color:var(--bad); }
        .legend span { display:inline-block; margin-right:14px; } .legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; }
        #report pre { white-space:pre-wrap; }
        </style>
        </head>
        <body>
        <header><h1>PyBak</h1><span id="who" class="muted"></span><span class="spacer"></span><span id="updated" class="muted"></span><button id="logout" hidden>Log out</button></header>
        <section id="login" class="login panel" hidden>
          <h2>Sign in</h2>
          <div id="oidc" hidden><p><button id="oidc-signin">Sign in with your identity provider</button> <span id="oidc-issuer" class="muted"></span></p><p class="muted">or</p></div>
          <p>Paste an access token (a JWT from your identity provider with the scope <code>pybak.read</code>).</p>
          <textarea id="token" spellcheck="false" placeholder="eyJhbGciOi..."></textarea>
          <p><button id="signin">Use token</button> <span id="login-error" class="error-text"></span></p>
        </section>
        <main id="app" hidden>
          <section><h2>Policies</h2><div id="cards" class="cards"></div></section>
          <section class="panel"><h2>Bytes in / out and ratio per run</h2><div id="chart"></div>
            <div class="legend"><span><i style="background:#2f6fde"></i>bytes in</span><span><i style="background:#1f9d55"></i>bytes out</span><span><i style="background:#c98a04"></i>ratio</span></div></section>
          <section class="panel"><h2>Run history</h2><table id="runs"><thead><tr><th>Run</th><th>Policy</th><th>Trigger</th><th>Started</th><th>Result</th><th class="num">Files</th><th class="num">In</th><th class="num">Out</th><th class="num">Ratio</th></tr></thead><tbody></tbody></table></section>
          <section id="report" class="panel" hidden></section>
          <section class="panel"><h2>Live logs</h2><div id="logs" aria-live="polite"></div></section>
        </main>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
        const bytes = (n) => { n = Number(n || 0); const u = ["B","kB","MB","GB","TB"]; let i = 0; while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; } return (i ? n.toFixed(1) : n) + " " + u[i]; };
        const when = (t) => t ? new Date(t).toLocaleString() : "—";
        const fragment = new URLSearchParams(location.hash.slice(1));
        if (fragment.get("token")) { sessionStorage.setItem("pybak.token", fragment.get("token")); history.replaceState(null, "", location.pathname); }
        let token = sessionStorage.getItem("pybak.token");
        let logAbort = null;
        let login = {};

        // Sign-in through the OIDC issuer: authorization code + PKCE (S256), state and nonce kept in this tab only.
        const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        const randomText = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
        const claimsOf = (jwt) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
        const redirectURI = () => location.origin + location.pathname;

        async function signIn() {
          const oidc = login.oidc;
          if (!crypto.subtle) { showLogin("signing in needs https (or a loopback address); paste a token instead"); return; }
          const verifier = randomText(), state = randomText(), nonce = randomText();
          const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
          sessionStorage.setItem("pybak.login", JSON.stringify({verifier, state, nonce}));
          const url = new URL(oidc.authorizationEndpoint);
          for (const [k, v] of Object.entries({response_type: "code", client_id: oidc.clientId, redirect_uri: redirectURI(), scope: oidc.scope,
                                                state, nonce, code_challenge: challenge, code_challenge_method: "S256"})) url.searchParams.set(k, v);
          location.assign(url.toString());
        }

        // The issuer sent the browser back with ?code=...&state=... (or ?error=...): exchange the code for tokens.
        async function finishSignIn(params) {
          const saved = JSON.parse(sessionStorage.getItem("pybak.login") || "null");
          sessionStorage.removeItem("pybak.login");
          history.replaceState(null, "", location.pathname);
          if (params.get("error")) throw new Error("the identity provider refused: " + params.get("error") + " " + (params.get("error_description") || ""));
          if (!saved || params.get("state") !== saved.state) throw new Error("this sign-in answer does not belong to this tab (state differs); sign in again");
          const oidc = login.oidc;
          if (!oidc) throw new Error("sign-in through the issuer is not configured here");
          const body = new URLSearchParams({grant_type: "authorization_code", code: params.get("code") || "", redirect_uri: redirectURI(),
                                            client_id: oidc.clientId, code_verifier: saved.verifier});
          const response = await fetch(oidc.tokenEndpoint, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body});
          const answer = await response.json().catch(() => ({}));
          if (!response.ok) throw new Error("the token endpoint refused the code: " + (answer.error_description || answer.error || "HTTP " + response.status));
          if (answer.id_token && claimsOf(answer.id_token).nonce !== saved.nonce) throw new Error("the ID token's nonce is not this sign-in's; sign in again");
          const isJWT = (t) => typeof t === "string" && t.split(".").length === 3;
          const audiences = (t) => [].concat(claimsOf(t).aud || []);
          if (isJWT(answer.access_token)) {
            token = answer.access_token;
          } else if (isJWT(answer.id_token) && audiences(answer.id_token).includes(oidc.audience)) {
            token = answer.id_token;  // an issuer with opaque access tokens, whose ID token is meant for this API
          } else {
            throw new Error("the issuer's access token is not a JWT, so this API cannot check it; have the issuer issue JWT access tokens for the audience " + oidc.audience);
          }
          sessionStorage.setItem("pybak.token", token);
        }

        async function api(path) {
          const headers = token ? {Authorization: "Bearer " + token} : {};
          const response = await fetch(path, {headers});
          if (response.status === 401) { throw {login: true, message: (await response.json()).error.message}; }
          if (!response.ok) { throw {message: (await response.json()).error.message}; }
          return response.json();
        }

        function showLogin(message) {
          $("app").hidden = true; $("login").hidden = false; $("logout").hidden = true;
          $("login-error").textContent = message || "";
        }

        function card(policy) {
          const last = policy.lastRun;
          const state = policy.running ? "running" : (last ? last.status : "none");
          const progress = policy.progress ? `<div class="progress"><div style="width:${Math.round(100 * policy.progress.filesDone / Math.max(1, policy.progress.filesTotal))}%"></div></div>` : "";
          return `<div class="card" data-policy="${esc(policy.name)}"><h3>${esc(policy.name)} <span class="badge ${esc(state)}">${esc(state)}</span></h3><dl>
            <dt>Last run</dt><dd>${last ? `<a href="#run/${last.id}">#${last.id}</a> ${esc(when(last.startedAt))}` : "never"}</dd>
            <dt>Result</dt><dd>${last ? esc(last.status) + (last.error ? " — " + esc(last.error) : "") : "—"}</dd>
            <dt>Next run</dt><dd>${esc(when(policy.nextRunAt))}</dd>
            <dt>Files today</dt><dd>${policy.today.filesCompressed} compressed, ${policy.today.filesDuplicate} dup, ${policy.today.filesFailed} failed</dd>
            <dt>Bytes today</dt><dd>${bytes(policy.today.bytesIn)} → ${bytes(policy.today.bytesOut)}</dd>
          </dl>${progress}</div>`;
        }

        function chart(runs) {
          const done = runs.filter((r) => r.finishedAt && r.counts.bytesIn > 0).reverse();
          if (!done.length) { $("chart").innerHTML = '<p class="muted">No compressed bytes yet.</p>'; return; }
          const W = 900, H = 220, P = 40, max = Math.max(...done.map((r) => r.counts.bytesIn));
          const ratios = done.map((r) => r.counts.bytesOut ? r.counts.bytesIn / r.counts.bytesOut : 0), maxRatio = Math.max(1, ...ratios);
          const step = Math.min(60, (W - 2 * P) / done.length), bar = Math.max(2, step / 2 - 2);
          let svg = `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="bytes per run"><line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="#ccd"/>`;
          svg += `<text x="4" y="${P - 8}" font-size="11" fill="#6b7385">${bytes(max)}</text><text x="${W - P + 4}" y="${P - 8}" font-size="11" fill="#c98a04">×${maxRatio.toFixed(1)}</text>`;
          let line = "";
          done.forEach((r, i) => {
            const x = P + i * step, hin = (H - 2 * P) * r.counts.bytesIn / max, hout = (H - 2 * P) * r.counts.bytesOut / max;
            svg += `<rect x="${x}" y="${H - P - hin}" width="${bar}" height="${hin}" fill="#2f6fde"><title>run ${r.id}: ${bytes(r.counts.bytesIn)} in</title></rect>`;
            svg += `<rect x="${x + bar + 1}" y="${H - P - hout}" width="${bar}" height="${hout}" fill="#1f9d55"><title>run ${r.id}: ${bytes(r.counts.bytesOut)} out</title></rect>`;
            line += `${i ? "L" : "M"}${x + bar} ${H - P - (H - 2 * P) * ratios[i] / maxRatio} `;
          });
          svg += `<path d="${line}" fill="none" stroke="#c98a04" stroke-width="2"/>`;
          svg += `<text x="${P}" y="${H - 10}" font-size="11" fill="#6b7385">${esc(when(done[0].startedAt))}</text><text x="${W - P}" y="${H - 10}" font-size="11" fill="#6b7385" text-anchor="end">${esc(when(done[done.length - 1].startedAt))}</text></svg>`;
          $("chart").innerHTML = svg;
        }

        function renderHistory(runs) {
          $("runs").querySelector("tbody").innerHTML = runs.map((r) => {
            const c = r.counts, ratio = c.bytesOut ? (c.bytesIn / c.bytesOut).toFixed(2) : "—";
            return `<tr data-run="${r.id}"><td><a href="#run/${r.id}">#${r.id}</a></td><td>${esc(r.policy)}</td><td>${esc(r.trigger)}</td><td>${esc(when(r.startedAt))}</td>
              <td><span class="badge ${esc(r.status)}">${esc(r.status)}</span></td><td class="num">${c.compressed}</td><td class="num">${bytes(c.bytesIn)}</td><td class="num">${bytes(c.bytesOut)}</td><td class="num">${ratio}</td></tr>`;
          }).join("");
        }

        async function showReport(id) {
          const r = await api(`/runs/${encodeURIComponent(id)}`);
          const files = r.files.map((f) => `<tr><td>${esc(f.sourcePath)}</td><td>${esc(f.destinationPath)}</td><td>${esc(f.kind)}</td><td class="num">${bytes(f.size)}</td><td class="num">${bytes(f.storedSize)}</td></tr>`).join("");
          const problems = r.problems.map((p) => `<li>${esc(p.outcome)}: ${esc(p.path)} — ${esc(p.reason)}</li>`).join("");
          $("report").innerHTML = `<h2>Report of run #${r.run.id} (${esc(r.run.policy)})</h2>
            <p><span class="badge ${esc(r.run.status)}">${esc(r.run.status)}</span> ${esc(when(r.run.startedAt))}, ${r.durationSeconds != null ? r.durationSeconds.toFixed(1) + " s" : "running"}, ratio ${r.ratio ? r.ratio.toFixed(2) : "—"} ${r.run.error ? '<span class="error-text">' + esc(r.run.error) + "</span>" : ""}</p>
            <table><thead><tr><th>Source</th><th>Copy</th><th>Kind</th><th class="num">Size</th><th class="num">Stored</th></tr></thead><tbody>${files}</tbody></table>
            ${r.filesTruncated ? '<p class="muted">First 1000 files shown.</p>' : ""}${problems ? "<h2>Skipped and failed</h2><ul>" + problems + "</ul>" : ""}`;
          $("report").hidden = false;
        }

        function appendLog(line) {
          const div = document.createElement("div");
          div.className = line.level;
          div.innerHTML = `<span class="time">${esc(line.time)}</span> ${esc(line.level.toUpperCase())} ${esc(line.policy || "")} ${line.runId ? "#" + line.runId : ""} ${esc(line.message)} <span class="time">${esc(Object.entries(line.metadata || {}).map(([k, v]) => k + "=" + v).join(" "))}</span>`;
          const box = $("logs"), atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
          box.appendChild(div);
          while (box.childElementCount > 500) box.firstChild.remove();
          if (atBottom) box.scrollTop = box.scrollHeight;
        }

        async function followLogs(lastId) {
          logAbort = new AbortController();
          const headers = token ? {Authorization: "Bearer " + token} : {};
          if (lastId) headers["Last-Event-ID"] = String(lastId);
          try {
            const response = await fetch("/logs?follow=true&limit=50", {headers, signal: logAbort.signal});
            if (!response.ok) throw new Error("HTTP " + response.status);
            const reader = response.body.getReader(), decoder = new TextDecoder();
            let buffer = "";
            for (;;) {
              const {value, done} = await reader.read();
              if (done) break;
              buffer += decoder.decode(value, {stream: true});
              let cut;
              while ((cut = buffer.indexOf("\n\n")) >= 0) {
                const event = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
                const id = /^id: (\d+)$/m.exec(event), data = /^data: (.*)$/m.exec(event);
                if (id) lastId = Number(id[1]);
                if (data) appendLog(JSON.parse(data[1]));
              }
            }
          } catch (e) {
            if (e.name === "AbortError") return;
          }
          setTimeout(() => followLogs(lastId), 2000);
        }

        async function refresh() {
          try {
            const [status, runs] = await Promise.all([api("/status"), api("/runs?limit=100")]);
            const progress = Object.fromEntries(status.active.filter((a) => a.progress).map((a) => [a.run.policy, a.progress]));
            $("cards").innerHTML = status.policies.length ? status.policies.map((p) => card({...p, progress: progress[p.name]})).join("") : '<p class="muted">No runs yet.</p>';
            chart(runs.items);
            renderHistory(runs.items.slice(0, 50));
            $("updated").textContent = "updated " + new Date(status.generatedAt).toLocaleTimeString();
            $("login").hidden = true; $("app").hidden = false; $("logout").hidden = !token;
            return true;
          } catch (e) {
            if (e.login) { showLogin(token ? e.message : ""); return false; }
            $("updated").textContent = "error: " + (e.message || e);
            return true;
          }
        }

        async function start() {
          login = await fetch("/dashboard/config").then((r) => r.json()).catch(() => ({}));
          $("oidc").hidden = !login.oidc;
          if (login.oidc) $("oidc-issuer").textContent = login.oidc.issuer;
          const params = new URLSearchParams(location.search);
          if (params.has("code") || params.has("error")) {
            try { await finishSignIn(params); } catch (e) { showLogin(e.message); return; }
          }
          if (!(await refresh())) { if (login.problem) $("login-error").textContent = login.problem; return; }
          if (location.hash.startsWith("#run/")) showReport(location.hash.slice(5)).catch((e) => { $("report").hidden = false; $("report").textContent = e.message; });
          if (!logAbort) followLogs(null);
        }

        window.addEventListener("hashchange", () => { if (location.hash.startsWith("#run/")) showReport(location.hash.slice(5)).catch(() => {}); });
        $("oidc-signin").addEventListener("click", () => { signIn().catch((e) => showLogin(e.message)); });
        $("signin").addEventListener("click", () => { token = $("token").value.trim(); sessionStorage.setItem("pybak.token", token); start(); });
        $("logout").addEventListener("click", () => { sessionStorage.removeItem("pybak.token"); token = null; if (logAbort) logAbort.abort(); logAbort = null; showLogin(""); });
        setInterval(() => { if (!$("app").hidden) refresh(); }, 5000);
        start();
        </script>
        </body>
        </html>
        """#
}
