/// The OpenAPI 3.1 description of the API, written by hand and served at `/openapi.yaml`.
enum OpenAPIDocument {
    static let yaml = #"""
        openapi: 3.1.0
        info:
          title: PyBak API
          version: 0.1.0
          description: |
            Trigger and watch PyBak backups. Every operation but /healthz, /readyz, / and /openapi.yaml
            needs an OAuth 2 bearer JWT from the configured issuer: scope pybak.read for GET,
            pybak.trigger for POST /compress. Errors are JSON: {"error": {"status", "code", "message"}}.
            Lists are newest first (logs oldest first unless order=desc) and paginate with an opaque
            cursor: pass a page's nextCursor as cursor to get the next page.
        security:
          - bearer: []
        paths:
          /healthz:
            get:
              summary: The process answers.
              security: []
              responses:
                '200': {description: Up., content: {application/json: {schema: {$ref: '#/components/schemas/Health'}}}}
          /readyz:
            get:
              summary: The catalog answers a query.
              security: []
              responses:
                '200': {description: Ready., content: {application/json: {schema: {$ref: '#/components/schemas/Health'}}}}
                '503': {description: The catalog does not answer., content: {application/json: {schema: {$ref: '#/components/schemas/Health'}}}}
          /dashboard/config:
            get:
              summary: How the dashboard signs in (whether tokens are needed; the issuer's endpoints and the client id for authorization code + PKCE).
              security: []
              responses:
                '200': {description: The sign-in settings., content: {application/json: {schema: {$ref: '#/components/schemas/DashboardConfig'}}}}
          /status:
            get:
              summary: Passes running now and, per policy, the last run, the next run and today's totals (UTC).
              responses:
                '200': {description: Status., content: {application/json: {schema: {$ref: '#/components/schemas/Status'}}}}
                '401': {$ref: '#/components/responses/Unauthorized'}
                '403': {$ref: '#/components/responses/Forbidden'}
                '503': {$ref: '#/components/responses/Unavailable'}
          /runs:
            get:
              summary: Runs, newest first.
              parameters:
                - {$ref: '#/components/parameters/policy'}
                - {name: status, in: query, schema: {type: string, enum: [running, succeeded, partial, failed]}}
                - {$ref: '#/components/parameters/since'}
                - {$ref: '#/components/parameters/until'}
                - {$ref: '#/components/parameters/limit'}
                - {$ref: '#/components/parameters/cursor'}
              responses:
                '200': {description: A page of runs., content: {application/json: {schema: {$ref: '#/components/schemas/RunPage'}}}}
                '400': {$ref: '#/components/responses/BadRequest'}
                '401': {$ref: '#/components/responses/Unauthorized'}
                '403': {$ref: '#/components/responses/Forbidden'}
                '503': {$ref: '#/components/responses/Unavailable'}
          /runs/{id}:
            get:
              summary: The report of one run (its first 1000 files; /files?run=ID pages through all).
              parameters:
                - {name: id, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 9223372036854775807}}
              responses:
                '200': {description: The report., content: {application/json: {schema: {$ref: '#/components/schemas/RunReport'}}}}
                '400': {$ref: '#/components/responses/BadRequest'}
                '401': {$ref: '#/components/responses/Unauthorized'}
                '403': {$ref: '#/components/responses/Forbidden'}
                '404': {$ref: '#/components/responses/NotFound'}
                '503': {$ref: '#/components/responses/Unavailable'}
          /files:
            get:
              summary: Search catalogued files, newest first.
              parameters:
                - {$ref: '#/components/parameters/policy'}
                - {$ref: '#/components/parameters/run'}
                - {name: q, in: query, description: Case-insensitive text in the source or destination path., schema: {type: string, maxLength: 1024}}
                - {name: sha256, in: query, description: The SHA-256 of the content or a prefix of it., schema: {type: string, pattern: '^[0-9a-fA-F]{0,64}$'}}
                - {name: kind, in: query, schema: {type: string, enum: [stored, duplicate]}}
                - {$ref: '#/components/parameters/since'}
                - {$ref: '#/components/parameters/until'}
                - {$ref: '#/components/parameters/limit'}
                - {$ref: '#/components/parameters/cursor'}
              responses:
                '200': {description: A page of files., content: {application/json: {schema: {$ref: '#/components/schemas/FilePage'}}}}
                '400': {$ref: '#/components/responses/BadRequest'}
                '401': {$ref: '#/components/responses/Unauthorized'}
                '403': {$ref: '#/components/responses/Forbidden'}
                '503': {$ref: '#/components/responses/Unavailable'}
          /logs:
            get:
              summary: Log lines from the catalog; follow=true streams them as server-sent events.
              description: |
                With follow=true the answer is text/event-stream: the newest `limit` lines (or those after
                Last-Event-ID / cursor), then new lines as they are written. Each event has `id:` (the
                line's id, for Last-Event-ID) and `data:` (the line as JSON). The stream ends after an hour;
                EventSource reconnects by itself.
              parameters:
                - {$ref: '#/components/parameters/policy'}
                - {$ref: '#/components/parameters/run'}
                - {name: level, in: query, description: Minimum level., schema: {type: string, enum: [trace, debug, info, notice, warning, error, critical]}}
                - {name: q, in: query, description: Case-insensitive text in the message or metadata., schema: {type: string, maxLength: 256}}
                - {$ref: '#/components/parameters/since'}
                - {$ref: '#/components/parameters/until'}
                - {name: order, in: query, schema: {type: string, enum: [asc, desc], default: asc}}
                - {name: follow, in: query, schema: {type: boolean, default: false}}
                - {$ref: '#/components/parameters/limit'}
                - {$ref: '#/components/parameters/cursor'}
                - {name: Last-Event-ID, in: header, schema: {type: string, pattern: '^[0-9]{1,18}$'}}
              responses:
                '200':
                  description: A page of log lines, or an event stream when follow=true.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/LogPage'}}
                    text/event-stream: {schema: {type: string}}
                '400': {$ref: '#/components/responses/BadRequest'}
                '401': {$ref: '#/components/responses/Unauthorized'}
                '403': {$ref: '#/components/responses/Forbidden'}
                '503': {$ref: '#/components/responses/Unavailable'}
          /compress:
            post:
              summary: Start a pass now, for one policy or (empty body) for all.
              description: |
                Answers 202 with the run ids once the passes have started (in a cluster: the names of the
                Jobs made from the policies' CronJobs). The same Idempotency-Key with the same body replays
                the first answer instead of starting another pass; with a different body it is refused (422).
                A policy that is already running answers 409. In a cluster, policy is namespace/name, or a
                name found in one namespace only (else 400).
              security:
                - bearer: [pybak.trigger]
              parameters:
                - {name: Idempotency-Key, in: header, schema: {type: string, pattern: '^[\x21-\x7E]{1,255}$'}}
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        policy: {type: string, minLength: 1, maxLength: 253, description: The policy; omit for all.}
                        reason: {type: string, maxLength: 1024, description: Why (goes to the log).}
              responses:
                '202':
                  description: Started.
                  headers:
                    Location: {description: The run's report when one pass started., schema: {type: string}}
                  content: {application/json: {schema: {$ref: '#/components/schemas/TriggerAccepted'}}}
                '400': {$ref: '#/components/responses/BadRequest'}
                '401': {$ref: '#/components/responses/Unauthorized'}
                '403': {$ref: '#/components/responses/Forbidden'}
                '404': {$ref: '#/components/responses/NotFound'}
                '409': {description: That policy is already running (or the key is in use)., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
                '413': {description: The body is over 64 KiB., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
                '415': {description: The body is not JSON., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
                '422': {description: The Idempotency-Key was used with another body., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
                '429':
                  description: Too many triggers; retry after Retry-After seconds.
                  headers:
                    Retry-After: {schema: {type: integer}}
                  content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
                '501': {description: This server has no trigger., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
                '503': {$ref: '#/components/responses/Unavailable'}
          /metrics:
            get:
              summary: Prometheus metrics (requests by route and status, latency, triggers).
              responses:
                '200': {description: Text exposition format., content: {text/plain: {schema: {type: string}}}}
                '401': {$ref: '#/components/responses/Unauthorized'}
                '403': {$ref: '#/components/responses/Forbidden'}
                '503': {$ref: '#/components/responses/Unavailable'}
        components:
          securitySchemes:
            bearer:
              type: http
              scheme: bearer
              bearerFormat: JWT
              description: An access token (JWT, RS256 or ES256) from the configured OIDC issuer, with aud = the configured audience.
          parameters:
            policy: {name: policy, in: query, schema: {type: string, maxLength: 253}}
            run: {name: run, in: query, schema: {type: integer, minimum: 1, maximum: 9223372036854775807}}
            since: {name: since, in: query, description: RFC 3339 time (inclusive)., schema: {$ref: '#/components/schemas/Time'}}
            until: {name: until, in: query, description: RFC 3339 time (exclusive)., schema: {$ref: '#/components/schemas/Time'}}
            limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
            cursor: {name: cursor, in: query, description: A nextCursor from the previous page., schema: {type: string, pattern: '^[1-9][0-9]{0,17}$'}}
          responses:
            BadRequest: {description: A parameter or the body cannot be used., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
            Unauthorized:
              description: No token, or the token is not valid.
              headers:
                WWW-Authenticate: {schema: {type: string}}
              content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
            Forbidden: {description: The token lacks the scope., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
            NotFound: {description: No such thing., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
            Unavailable: {description: The issuer's keys or the catalog cannot be reached., content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
          schemas:
            Time:
              type: string
              description: An RFC 3339 time; a day past the end of its month rolls over into the next.
              pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$'
            Error:
              type: object
              required: [error]
              properties:
                error:
                  type: object
                  required: [status, code, message]
                  properties:
                    status: {type: integer}
                    code: {type: string}
                    message: {type: string}
            Health:
              type: object
              required: [status]
              properties:
                status: {type: string, enum: [ok, ready, unavailable]}
                detail: {type: string}
            Counts:
              type: object
              required: [compressed, duplicate, skipped, failed, unchanged, bytesIn, bytesOut]
              properties:
                compressed: {type: integer}
                duplicate: {type: integer}
                skipped: {type: integer}
                failed: {type: integer}
                unchanged: {type: integer}
                bytesIn: {type: integer}
                bytesOut: {type: integer}
            Run:
              type: object
              required: [id, policy, trigger, startedAt, passStamp, status, counts, host]
              properties:
                id: {type: integer}
                policy: {type: string}
                trigger: {type: string, enum: [manual, schedule, api]}
                startedAt: {type: string}
                finishedAt: {type: string}
                passStamp: {type: string}
                status: {type: string, enum: [running, succeeded, partial, failed]}
                counts: {$ref: '#/components/schemas/Counts'}
                error: {type: string}
                host: {type: string}
            File:
              type: object
              required: [id, policy, runId, sourcePath, size, mtimeNanos, sha256, destinationPath, storedSize, kind, state, sourceDevice, sourceInode, disposition, createdAt]
              properties:
                id: {type: integer}
                policy: {type: string}
                runId: {type: integer}
                sourcePath: {type: string}
                size: {type: integer}
                mtimeNanos: {type: integer}
                sha256: {type: string}
                destinationPath: {type: string}
                archiveMember: {type: string, description: "The member's name when destinationPath is a zip or tar.gz archive (--format)."}
                storedSize: {type: integer}
                kind: {type: string, enum: [stored, duplicate]}
                duplicateOf: {type: integer}
                state: {type: string, enum: [pending, stored]}
                sourceDevice: {type: integer}
                sourceInode: {type: integer}
                disposition: {type: string, enum: [remove, removed, kept, changed]}
                createdAt: {type: string}
            Problem:
              type: object
              required: [runId, path, outcome, reason]
              properties:
                runId: {type: integer}
                path: {type: string}
                outcome: {type: string, enum: [skipped, failed]}
                reason: {type: string}
            LogLine:
              type: object
              required: [time, level, message, metadata]
              properties:
                id: {type: integer}
                time: {type: string}
                level: {type: string}
                runId: {type: integer}
                policy: {type: string}
                message: {type: string}
                metadata: {type: object, additionalProperties: {type: string}}
            RunPage:
              type: object
              required: [items]
              properties:
                items: {type: array, items: {$ref: '#/components/schemas/Run'}}
                nextCursor: {type: string}
            FilePage:
              type: object
              required: [items]
              properties:
                items: {type: array, items: {$ref: '#/components/schemas/File'}}
                nextCursor: {type: string}
            LogPage:
              type: object
              required: [items]
              properties:
                items: {type: array, items: {$ref: '#/components/schemas/LogLine'}}
                nextCursor: {type: string}
            RunReport:
              type: object
              required: [run, files, filesTruncated, problems]
              properties:
                run: {$ref: '#/components/schemas/Run'}
                durationSeconds: {type: number}
                ratio: {type: number}
                files: {type: array, items: {$ref: '#/components/schemas/File'}}
                filesTruncated: {type: boolean}
                problems: {type: array, items: {$ref: '#/components/schemas/Problem'}}
            Progress:
              type: object
              required: [filesDone, filesTotal, bytesDone, bytesTotal]
              properties:
                runId: {type: integer}
                filesDone: {type: integer}
                filesTotal: {type: integer}
                bytesDone: {type: integer}
                bytesTotal: {type: integer}
            Status:
              type: object
              required: [generatedAt, active, policies]
              properties:
                generatedAt: {type: string}
                active:
                  type: array
                  items:
                    type: object
                    required: [run]
                    properties:
                      run: {$ref: '#/components/schemas/Run'}
                      progress: {$ref: '#/components/schemas/Progress'}
                policies:
                  type: array
                  items:
                    type: object
                    required: [name, running, today]
                    properties:
                      name: {type: string}
                      lastRun: {$ref: '#/components/schemas/Run'}
                      nextRunAt: {type: string}
                      running: {type: boolean}
                      today:
                        type: object
                        required: [runs, filesCompressed, filesDuplicate, filesFailed, bytesIn, bytesOut]
                        properties:
                          runs: {type: integer}
                          filesCompressed: {type: integer}
                          filesDuplicate: {type: integer}
                          filesFailed: {type: integer}
                          bytesIn: {type: integer}
                          bytesOut: {type: integer}
                      controller: {$ref: '#/components/schemas/ObservedPolicy'}
            ObservedPolicy:
              type: object
              description: What the controller last observed of a BackupPolicy (written to the catalog's policies table).
              required: [policy, namespace, name, schedule, suspended, ready, activeJobs, spec, status, observedAt, observedBy]
              properties:
                policy: {type: string, description: namespace/name}
                namespace: {type: string}
                name: {type: string}
                uid: {type: string}
                generation: {type: integer}
                schedule: {type: string}
                suspended: {type: boolean}
                ready: {type: string, enum: ["True", "False", "Unknown"]}
                reason: {type: string}
                message: {type: string}
                activeJobs: {type: array, items: {type: string}}
                lastRunResult: {type: string}
                lastScheduleTime: {type: string}
                lastSuccessfulTime: {type: string}
                nextRunAt: {type: string}
                spec: {type: object, description: The BackupPolicy's spec.}
                status: {type: object, description: The BackupPolicy's status as the controller wrote it.}
                observedAt: {type: string}
                observedBy: {type: string}
            DashboardConfig:
              type: object
              required: [auth]
              properties:
                auth: {type: boolean, description: Whether the API needs a bearer token.}
                problem: {type: string, description: Why sign-in through the issuer is not offered although configured.}
                oidc:
                  type: object
                  required: [issuer, authorizationEndpoint, tokenEndpoint, clientId, audience, scope]
                  properties:
                    issuer: {type: string}
                    authorizationEndpoint: {type: string}
                    tokenEndpoint: {type: string}
                    clientId: {type: string}
                    audience: {type: string}
                    scope: {type: string}
            TriggerAccepted:
              type: object
              required: [requestedBy, runs, skipped]
              properties:
                requestedBy: {type: string}
                runs:
                  type: array
                  items:
                    type: object
                    required: [policy]
                    properties:
                      policy: {type: string}
                      runId: {type: integer}
                      job: {type: string}
                skipped:
                  type: array
                  description: Policies an all-policies trigger did not start, with why.
                  items:
                    type: object
                    required: [policy, reason]
                    properties:
                      policy: {type: string}
                      reason: {type: string, enum: [running, suspended]}
        """#
}
