import { createClient, LibsqlError } from "@libsql/client";
import { preparePrivateSqliteFile, sqliteFilePath } from "@dogi/config/private-files";
import type { Client, InStatement, Row } from "@libsql/client";
import type {
  TChatSession,
  TFeedbackRating,
  TPetId,
  TSessionId,
  TTitleSource,
  TTurnFeedback,
  TTurnStatus,
  TUserId,
} from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type {
  SessionStore,
  StoredTurn,
  UsageRow,
  ListSessionsQuery,
  TitleChange,
  NewTurn,
  ListTurnsQuery,
  TurnUpdate,
  StaleTurnsQuery,
  FeedbackQuery,
} from "./interface.ts";
import { parseJson } from "./json.ts";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS llm_sessions (
    session_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    pet_id TEXT,
    title TEXT NOT NULL,
    title_source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    turn_count INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE INDEX IF NOT EXISTS llm_sessions_user_updated
    ON llm_sessions (user_id, updated_at DESC, session_id DESC)`,
  `CREATE TABLE IF NOT EXISTS llm_messages (
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    message_index INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT,
    citations TEXT NOT NULL DEFAULT '[]',
    model TEXT,
    usage TEXT,
    status TEXT NOT NULL,
    error TEXT,
    client_message_id TEXT,
    created_at INTEGER NOT NULL,
    completed_at INTEGER,
    history TEXT NOT NULL DEFAULT '[]',
    revision INTEGER NOT NULL DEFAULT 0,
    triage TEXT,
    attempt_started_at INTEGER,
    prompt_context TEXT,
    feedback_rating TEXT,
    feedback_comment TEXT,
    feedback_at INTEGER,
    first_token_ms INTEGER,
    retrieval_only INTEGER NOT NULL DEFAULT 0,
    answer_chars INTEGER
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS llm_messages_session_index
    ON llm_messages (session_id, message_index)`,
  // NULLs are distinct in a SQLite unique index, so turns without a client id never collide.
  `CREATE UNIQUE INDEX IF NOT EXISTS llm_messages_client_message
    ON llm_messages (session_id, client_message_id)`,
  `CREATE INDEX IF NOT EXISTS llm_messages_user ON llm_messages (user_id)`,
  // The sweep of abandoned turns looks for the few pending ones.
  `CREATE INDEX IF NOT EXISTS llm_messages_status ON llm_messages (status)`,
];

const TURN_COLUMNS = `session_id, message_index, question, answer, citations, model, usage, status,
  error, client_message_id, created_at, completed_at, history, revision, triage, attempt_started_at,
  prompt_context, feedback_rating, feedback_comment, feedback_at, first_token_ms, retrieval_only,
  answer_chars`;

// Indexes over added columns: created once the columns are there (after ADDED_TURN_COLUMNS).
const LATER_INDEXES = [
  // The usage report reads a window of turns by creation time.
  `CREATE INDEX IF NOT EXISTS llm_messages_created ON llm_messages (created_at)`,
  // Only rated turns: the feedback list pages through few of many.
  `CREATE INDEX IF NOT EXISTS llm_messages_feedback
    ON llm_messages (feedback_at DESC, session_id DESC, message_index DESC)
    WHERE feedback_at IS NOT NULL`,
];

/** How many usage rows one read brings in. */
const USAGE_BATCH = 1_000;

// Columns added after the first release: a database created before them gains them at start.
const ADDED_TURN_COLUMNS: Array<{ name: string; definition: string }> = [
  { name: "triage", definition: "triage TEXT" },
  // NULL on older rows: their attempt began when the turn was created.
  { name: "attempt_started_at", definition: "attempt_started_at INTEGER" },
  // NULL on older rows: those turns are replayed without their passages.
  { name: "prompt_context", definition: "prompt_context TEXT" },
  { name: "feedback_rating", definition: "feedback_rating TEXT" },
  { name: "feedback_comment", definition: "feedback_comment TEXT" },
  { name: "feedback_at", definition: "feedback_at INTEGER" },
  // NULL and 0 on older rows: the usage report counts them as untimed, with a model.
  { name: "first_token_ms", definition: "first_token_ms INTEGER" },
  { name: "retrieval_only", definition: "retrieval_only INTEGER NOT NULL DEFAULT 0" },
  { name: "answer_chars", definition: "answer_chars INTEGER" },
];

/** Options for {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** `file:PATH` */
  url: string;
  /** How long a write waits for another process's lock before failing. */
  busyTimeoutMs: number;
}

/** The embedded store: one SQLite file through @libsql/client. */
export function createSqliteStore(options: SqliteStoreOptions): SessionStore {
  const filePath = sqliteFilePath(options.url);
  if (filePath !== undefined) preparePrivateSqliteFile(filePath);
  // One connection: libsql runs each batch synchronously on it, so in-process writers never
  // interleave; the busy timeout covers other processes sharing the file.
  const client: Client = createClient({
    url: options.url,
    concurrency: 1,
    timeout: options.busyTimeoutMs,
  });
  return new SqliteSessionStore(client);
}

class SqliteSessionStore implements SessionStore {
  readonly kind = "sqlite" as const;

  constructor(private readonly client: Client) {}

  async init(): Promise<void> {
    await this.run(async () => {
      await this.client.execute("PRAGMA journal_mode = WAL");
      await this.client.batch(SCHEMA, "write");
      const columns = await this.client.execute("PRAGMA table_info(llm_messages)");
      const present = new Set(columns.rows.map((row) => String(row.name)));
      for (const column of ADDED_TURN_COLUMNS.filter((c) => !present.has(c.name)))
        await this.client.execute(`ALTER TABLE llm_messages ADD COLUMN ${column.definition}`);
      await this.client.batch(LATER_INDEXES, "write");
    });
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.execute("SELECT 1"));
  }

  async close(): Promise<void> {
    this.client.close();
  }

  async insertSession(session: TChatSession, cap: { maxPerUser: number }): Promise<boolean> {
    // One statement counts and inserts under SQLite's write lock: the cap is exact.
    const result = await this.run(() =>
      this.client.execute({
        sql: `INSERT INTO llm_sessions
          (session_id, user_id, pet_id, title, title_source, created_at, updated_at, turn_count)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?
          WHERE (SELECT COUNT(*) FROM llm_sessions WHERE user_id = ?) < ?`,
        args: [
          session.sessionId,
          session.userId,
          session.petId,
          session.title,
          session.titleSource,
          Date.parse(session.createdAt),
          Date.parse(session.updatedAt),
          session.turnCount,
          session.userId,
          cap.maxPerUser,
        ],
      }),
    );
    return result.rowsAffected > 0;
  }

  async findSession(userId: string, sessionId: string): Promise<TChatSession | null> {
    const result = await this.run(() =>
      this.client.execute({
        sql: "SELECT * FROM llm_sessions WHERE session_id = ? AND user_id = ?",
        args: [sessionId, userId],
      }),
    );
    const row = result.rows[0];
    return row ? toSession(row) : null;
  }

  async listSessions(query: ListSessionsQuery): Promise<TChatSession[]> {
    const where = ["user_id = ?"];
    const args: Array<string | number> = [query.userId];
    if (query.search !== undefined) {
      // lower() folds ASCII only; Hangul has no case, so this is what users expect here.
      where.push("instr(lower(title), lower(?)) > 0");
      args.push(query.search);
    }
    if (query.after) {
      const at = Date.parse(query.after.updatedAt);
      where.push("(updated_at < ? OR (updated_at = ? AND session_id < ?))");
      args.push(at, at, query.after.sessionId);
    }
    args.push(query.limit);
    const result = await this.run(() =>
      this.client.execute({
        sql: `SELECT * FROM llm_sessions WHERE ${where.join(" AND ")}
          ORDER BY updated_at DESC, session_id DESC LIMIT ?`,
        args,
      }),
    );
    return result.rows.map(toSession);
  }

  async setTitle(change: TitleChange): Promise<TChatSession | null> {
    const sources = change.replaceable ?? ["default", "auto", "model", "user"];
    const result = await this.run(() =>
      this.client.execute({
        sql: `UPDATE llm_sessions SET title = ?, title_source = ?, updated_at = ?
          WHERE session_id = ? AND user_id = ?
            AND title_source IN (${sources.map(() => "?").join(", ")})
          RETURNING *`,
        args: [
          change.title,
          change.titleSource,
          Date.parse(change.now),
          change.sessionId,
          change.userId,
          ...sources,
        ],
      }),
    );
    const row = result.rows[0];
    return row ? toSession(row) : null;
  }

  async deleteSession(userId: string, sessionId: string): Promise<boolean> {
    const [deleted] = await this.run(() =>
      this.client.batch(
        [
          {
            sql: "DELETE FROM llm_sessions WHERE session_id = ? AND user_id = ?",
            args: [sessionId, userId],
          },
          {
            sql: "DELETE FROM llm_messages WHERE session_id = ? AND user_id = ?",
            args: [sessionId, userId],
          },
        ],
        "write",
      ),
    );
    return (deleted?.rowsAffected ?? 0) > 0;
  }

  async deleteAllForUser(userId: string): Promise<number> {
    const [deleted] = await this.run(() =>
      this.client.batch(
        [
          { sql: "DELETE FROM llm_sessions WHERE user_id = ?", args: [userId] },
          { sql: "DELETE FROM llm_messages WHERE user_id = ?", args: [userId] },
        ],
        "write",
      ),
    );
    return deleted?.rowsAffected ?? 0;
  }

  async appendTurn(turn: NewTurn): Promise<{ turn: StoredTurn; created: boolean } | "full" | null> {
    const now = Date.parse(turn.now);
    // One write transaction: the index comes from the session's counter (none past the cap),
    // the insert is skipped when the client id was used before, and the counter follows the
    // turns actually stored.
    const statements: InStatement[] = [
      {
        sql: `INSERT INTO llm_messages
            (session_id, user_id, message_index, question, status, client_message_id, created_at,
              attempt_started_at)
          SELECT session_id, user_id, turn_count, ?, 'pending', ?, ?, ?
            FROM llm_sessions WHERE session_id = ? AND user_id = ? AND turn_count < ?
          ON CONFLICT DO NOTHING
          RETURNING ${TURN_COLUMNS}`,
        args: [
          turn.question,
          turn.clientMessageId,
          now,
          now,
          turn.sessionId,
          turn.userId,
          turn.maxTurns,
        ],
      },
      {
        sql: `UPDATE llm_sessions SET
            turn_count = (SELECT COALESCE(MAX(message_index) + 1, 0) FROM llm_messages
              WHERE session_id = llm_sessions.session_id),
            updated_at = ?,
            title = CASE WHEN title_source = 'default' THEN ? ELSE title END,
            title_source = CASE WHEN title_source = 'default' THEN 'auto' ELSE title_source END
          WHERE session_id = ? AND user_id = ? AND changes() > 0`,
        args: [now, turn.autoTitle, turn.sessionId, turn.userId],
      },
      // Whether the session is there: without an insert or a retried turn, it is full.
      {
        sql: "SELECT 1 FROM llm_sessions WHERE session_id = ? AND user_id = ?",
        args: [turn.sessionId, turn.userId],
      },
    ];
    if (turn.clientMessageId !== null) {
      statements.push({
        sql: `SELECT ${TURN_COLUMNS} FROM llm_messages
          WHERE session_id = ? AND user_id = ? AND client_message_id = ?`,
        args: [turn.sessionId, turn.userId, turn.clientMessageId],
      });
    }
    const [inserted, , session, existing] = await this.run(() =>
      this.client.batch(statements, "write"),
    );
    const insertedRow = inserted?.rows[0];
    if (insertedRow) return { turn: toTurn(insertedRow), created: true };
    const existingRow = existing?.rows[0];
    if (existingRow) return { turn: toTurn(existingRow), created: false };
    return session?.rows[0] ? "full" : null;
  }

  async findTurn(
    userId: string,
    sessionId: string,
    messageIndex: number,
  ): Promise<StoredTurn | null> {
    const result = await this.run(() =>
      this.client.execute({
        sql: `SELECT ${TURN_COLUMNS} FROM llm_messages
          WHERE session_id = ? AND user_id = ? AND message_index = ?`,
        args: [sessionId, userId, messageIndex],
      }),
    );
    const row = result.rows[0];
    return row ? toTurn(row) : null;
  }

  async listTurns(query: ListTurnsQuery): Promise<StoredTurn[]> {
    const result = await this.run(() =>
      this.client.execute({
        sql: `SELECT ${TURN_COLUMNS} FROM llm_messages
          WHERE session_id = ? AND user_id = ? AND message_index > ?
          ORDER BY message_index ASC LIMIT ?`,
        args: [query.sessionId, query.userId, query.afterIndex, query.limit],
      }),
    );
    return result.rows.map(toTurn);
  }

  async lastTurn(userId: string, sessionId: string): Promise<StoredTurn | null> {
    const result = await this.run(() =>
      this.client.execute({
        sql: `SELECT ${TURN_COLUMNS} FROM llm_messages WHERE session_id = ? AND user_id = ?
          ORDER BY message_index DESC LIMIT 1`,
        args: [sessionId, userId],
      }),
    );
    const row = result.rows[0];
    return row ? toTurn(row) : null;
  }

  async updateTurn(update: TurnUpdate): Promise<StoredTurn | null> {
    const { change } = update;
    const statements: InStatement[] = [
      {
        sql: `UPDATE llm_messages SET answer = ?, citations = ?, model = ?, usage = ?, status = ?,
            error = ?, completed_at = ?, triage = ?, prompt_context = ?, feedback_rating = ?,
            feedback_comment = ?, feedback_at = ?, first_token_ms = ?, retrieval_only = ?,
            answer_chars = ?, revision = revision + 1,
            attempt_started_at = COALESCE(?, attempt_started_at),
            history = CASE WHEN ? IS NULL THEN history ELSE json_insert(history, '$[#]', json(?)) END
          WHERE session_id = ? AND user_id = ? AND message_index = ? AND revision = ?
          RETURNING ${TURN_COLUMNS}`,
        args: [
          change.answer,
          JSON.stringify(change.citations),
          change.model,
          change.usage === null ? null : JSON.stringify(change.usage),
          change.status,
          change.error === null ? null : JSON.stringify(change.error),
          change.completedAt === null ? null : Date.parse(change.completedAt),
          change.triage === null ? null : JSON.stringify(change.triage),
          change.promptContext === null ? null : JSON.stringify(change.promptContext),
          change.feedback?.rating ?? null,
          change.feedback?.comment ?? null,
          change.feedback ? Date.parse(change.feedback.at) : null,
          change.firstTokenMs,
          change.retrievalOnly ? 1 : 0,
          change.answerChars,
          change.attemptStartedAt === undefined ? null : Date.parse(change.attemptStartedAt),
          change.pushHistory === undefined ? null : 1,
          change.pushHistory === undefined ? null : JSON.stringify(change.pushHistory),
          update.sessionId,
          update.userId,
          update.messageIndex,
          update.ifRevision,
        ],
      },
    ];
    if (change.pushHistory !== undefined) {
      statements.push({
        sql: `UPDATE llm_sessions SET updated_at = ? WHERE session_id = ? AND user_id = ?
          AND changes() > 0`,
        args: [Date.parse(update.now), update.sessionId, update.userId],
      });
    }
    const [updated] = await this.run(() => this.client.batch(statements, "write"));
    const row = updated?.rows[0];
    return row ? toTurn(row) : null;
  }

  async listStaleTurns(query: StaleTurnsQuery): Promise<Array<StoredTurn & { userId: string }>> {
    const result = await this.run(() =>
      this.client.execute({
        sql: `SELECT ${TURN_COLUMNS}, user_id FROM llm_messages
          WHERE status = 'pending' AND COALESCE(attempt_started_at, created_at) <= ?
          ORDER BY COALESCE(attempt_started_at, created_at) ASC LIMIT ?`,
        args: [Date.parse(query.startedBy), query.limit],
      }),
    );
    return result.rows.map((row) => ({ ...toTurn(row), userId: text(row, "user_id") }));
  }

  async dropLeftoverClaims(): Promise<number> {
    // Each update here is one statement under SQLite's write lock: nothing to claim or leave.
    return 0;
  }

  async *usageRows(window: { since: string; until: string }): AsyncIterable<UsageRow> {
    // Pages by (created_at, session_id, message_index): no read holds more than one batch.
    let after: [number, string, number] = [Date.parse(window.since) - 1, "", -1];
    for (;;) {
      const [at, sessionId, index] = after;
      const result = await this.run(() =>
        this.client.execute({
          sql: `SELECT created_at, session_id, message_index, status,
              json_extract(usage, '$.promptTokens') AS prompt_tokens,
              json_extract(usage, '$.completionTokens') AS completion_tokens,
              json_extract(error, '$.code') AS error_code,
              json_extract(triage, '$.level') AS triage_level,
              json_extract(triage, '$.signs') AS triage_signs,
              first_token_ms, answer_chars, retrieval_only, feedback_rating
            FROM llm_messages
            WHERE created_at >= ? AND created_at < ?
              AND (created_at > ? OR (created_at = ? AND (session_id > ?
                OR (session_id = ? AND message_index > ?))))
            ORDER BY created_at, session_id, message_index LIMIT ?`,
          args: [
            Date.parse(window.since),
            Date.parse(window.until),
            at,
            at,
            sessionId,
            sessionId,
            index,
            USAGE_BATCH,
          ],
        }),
      );
      for (const row of result.rows) {
        const signs = parseJson<Array<{ id: string }>>(optionalText(row, "triage_signs"), []);
        yield {
          createdAt: iso(row.created_at),
          status: text(row, "status") as TTurnStatus,
          promptTokens: optionalNumber(row, "prompt_tokens"),
          completionTokens: optionalNumber(row, "completion_tokens"),
          errorCode: optionalText(row, "error_code"),
          firstTokenMs: optionalNumber(row, "first_token_ms"),
          answerChars: optionalNumber(row, "answer_chars"),
          retrievalOnly: Number(row.retrieval_only) === 1,
          triageLevel: optionalText(row, "triage_level"),
          triageSigns: signs.map((sign) => sign.id),
          feedbackRating: optionalText(row, "feedback_rating") as TFeedbackRating | null,
        };
      }
      const last = result.rows.at(-1);
      if (!last || result.rows.length < USAGE_BATCH) return;
      after = [Number(last.created_at), text(last, "session_id"), Number(last.message_index)];
    }
  }

  async countActivity(
    userIds: readonly string[],
  ): Promise<Map<string, { sessions: number; turns: number }>> {
    const counts = new Map<string, { sessions: number; turns: number }>();
    if (userIds.length === 0) return counts;
    const marks = userIds.map(() => "?").join(", ");
    const [sessions, turns] = await this.run(() =>
      this.client.batch(
        [
          {
            sql: `SELECT user_id, COUNT(*) AS n FROM llm_sessions WHERE user_id IN (${marks})
              GROUP BY user_id`,
            args: [...userIds],
          },
          {
            sql: `SELECT user_id, COUNT(*) AS n FROM llm_messages WHERE user_id IN (${marks})
              GROUP BY user_id`,
            args: [...userIds],
          },
        ],
        "read",
      ),
    );
    for (const row of sessions?.rows ?? [])
      counts.set(text(row, "user_id"), { sessions: Number(row.n), turns: 0 });
    for (const row of turns?.rows ?? []) {
      const userId = text(row, "user_id");
      counts.set(userId, { sessions: counts.get(userId)?.sessions ?? 0, turns: Number(row.n) });
    }
    return counts;
  }

  async listFeedback(query: FeedbackQuery): Promise<StoredTurn[]> {
    const where = ["feedback_at IS NOT NULL", "feedback_at >= ?"];
    const args: Array<string | number> = [Date.parse(query.since)];
    if (query.rating !== undefined) {
      where.push("feedback_rating = ?");
      args.push(query.rating);
    }
    if (query.after) {
      const at = Date.parse(query.after.at);
      where.push(`(feedback_at < ? OR (feedback_at = ? AND (session_id < ?
        OR (session_id = ? AND message_index < ?))))`);
      args.push(at, at, query.after.sessionId, query.after.sessionId, query.after.messageIndex);
    }
    args.push(query.limit);
    const result = await this.run(() =>
      this.client.execute({
        sql: `SELECT ${TURN_COLUMNS} FROM llm_messages WHERE ${where.join(" AND ")}
          ORDER BY feedback_at DESC, session_id DESC, message_index DESC LIMIT ?`,
        args,
      }),
    );
    return result.rows.map(toTurn);
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw translateError(error);
    }
  }
}

// Errors that mean "the database is not usable right now", as opposed to a bug in a query.
const UNAVAILABLE_CODES = [
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_CANTOPEN",
  "SQLITE_IOERR",
  "SQLITE_FULL",
  "SQLITE_READONLY",
  "CLIENT_CLOSED",
];

function translateError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof LibsqlError) {
    const code = error.extendedCode ?? error.code;
    if (UNAVAILABLE_CODES.some((prefix) => code.startsWith(prefix))) {
      return new AppError(
        "UPSTREAM_UNAVAILABLE",
        "The session database is busy or unavailable; try again shortly.",
        { cause: error },
      );
    }
  }
  return error;
}

function text(row: Row, column: string): string {
  const value = row[column];
  return typeof value === "string" ? value : String(value);
}

function optionalText(row: Row, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

function optionalNumber(row: Row, column: string): number | null {
  const value = row[column];
  return value === null || value === undefined ? null : Number(value);
}

function iso(value: unknown): string {
  return new Date(Number(value)).toISOString();
}

function toSession(row: Row): TChatSession {
  return {
    // Ids and enums were validated on the way in; the database hands back plain strings.
    sessionId: text(row, "session_id") as TSessionId,
    userId: text(row, "user_id") as TUserId,
    petId: optionalText(row, "pet_id") as TPetId | null,
    title: text(row, "title"),
    titleSource: text(row, "title_source") as TTitleSource,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    turnCount: Number(row.turn_count),
  };
}

function toTurn(row: Row): StoredTurn {
  const completedAt = row.completed_at;
  return {
    sessionId: text(row, "session_id") as TSessionId,
    messageIndex: Number(row.message_index),
    question: text(row, "question"),
    answer: optionalText(row, "answer"),
    citations: parseJson(optionalText(row, "citations"), []),
    model: optionalText(row, "model"),
    usage: parseJson(optionalText(row, "usage"), null),
    status: text(row, "status") as TTurnStatus,
    error: parseJson(optionalText(row, "error"), null),
    clientMessageId: optionalText(row, "client_message_id"),
    createdAt: iso(row.created_at),
    completedAt: completedAt === null || completedAt === undefined ? null : iso(completedAt),
    history: parseJson(optionalText(row, "history"), []),
    triage: parseJson(optionalText(row, "triage"), null),
    promptContext: parseJson(optionalText(row, "prompt_context"), null),
    revision: Number(row.revision),
    attemptStartedAt: iso(row.attempt_started_at ?? row.created_at),
    feedback: feedbackOf(row),
    firstTokenMs: optionalNumber(row, "first_token_ms"),
    retrievalOnly: Number(row.retrieval_only) === 1,
    answerChars: optionalNumber(row, "answer_chars"),
  };
}

function feedbackOf(row: Row): TTurnFeedback | null {
  const rating = optionalText(row, "feedback_rating");
  if (rating === null || row.feedback_at === null || row.feedback_at === undefined) return null;
  return {
    rating: rating as TFeedbackRating,
    comment: optionalText(row, "feedback_comment"),
    at: iso(row.feedback_at),
  };
}
