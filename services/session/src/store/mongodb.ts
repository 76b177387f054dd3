import {
  MongoClient,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
} from "mongodb";
import { KeyedQueue } from "@dogi/process";
import type { Collection, Db, Filter } from "mongodb";
import type {
  TChatSession,
  TCitation,
  TFeedbackRating,
  TPetId,
  TPromptContext,
  TSessionId,
  TTitleSource,
  TTokenUsage,
  TTurnAttempt,
  TTurnError,
  TTurnStatus,
  TTriage,
  TTurnFeedback,
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

interface SessionDoc {
  _id: string;
  user_id: string;
  pet_id: string | null;
  title: string;
  title_source: TTitleSource;
  created_at: Date;
  updated_at: Date;
  turn_count: number;
}

interface TurnDoc {
  /** `${session_id}/${message_index}`: lookups of one turn go by _id, which every server indexes. */
  _id: string;
  session_id: string;
  user_id: string;
  message_index: number;
  question: string;
  answer: string | null;
  citations: TCitation[];
  model: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  status: TTurnStatus;
  error: TTurnError | null;
  client_message_id: string | null;
  /**
   * The client message id, or a value no client id can take: a unique index over it makes
   * retries idempotent without a partial index (which FerretDB lacks) or a transaction.
   */
  idempotency_key: string;
  created_at: Date;
  completed_at: Date | null;
  history: TTurnAttempt[];
  revision: number;
  /** Absent on turns stored before triage was kept. */
  triage?: TTriage | null;
  /** When the current attempt began; absent on turns stored before it was kept (created_at). */
  attempt_started_at?: Date;
  /** What the answer's prompt carried; absent on turns stored before it was kept. */
  prompt_context?: TPromptContext | null;
  /** The owner's rating; absent on turns stored before it was kept. */
  feedback?: { rating: TFeedbackRating; comment: string | null; at: Date } | null;
  /** The current attempt's timing; absent on turns stored before it was kept. */
  first_token_ms?: number | null;
  retrieval_only?: boolean;
  answer_chars?: number | null;
}

/**
 * Who may write revision N of a turn. Inserting `${turnId}@${revision}` succeeds for one
 * writer only (_id is unique on every server), which makes the compare-and-set below safe on
 * servers whose conditional updates are not atomic under concurrency (FerretDB 1.x is not:
 * two racing completions both matched the old revision there).
 */
interface TurnClaimDoc {
  _id: string;
  created_at: Date;
}

const DUPLICATE_KEY = 11000;
// Each round of a contended allocation lets at least one writer through, so this bounds a
// burst of this many simultaneous appends to one session.
const MAX_ALLOCATION_ATTEMPTS = 200;

/** Options for {@link createMongoStore}. */
export interface MongoStoreOptions {
  /** `mongodb://…`; the database is the URL's path, `dogi` when it has none. */
  url: string;
  /** Overrides the database named in the URL (tests use one per suite). */
  dbName?: string;
  /** A dead server fails a call after about this long instead of queueing it. */
  timeoutMs: number;
}

/** The MongoDB store (works with FerretDB too: no transactions, no partial indexes). */
export function createMongoStore(options: MongoStoreOptions): SessionStore {
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: options.timeoutMs,
    connectTimeoutMS: options.timeoutMs,
    // Bounds a server that accepts connections but stops answering; an export reads in batches.
    socketTimeoutMS: options.timeoutMs * 5,
    waitQueueTimeoutMS: options.timeoutMs,
    maxPoolSize: 20,
    // While the server is away, look for it often so the service recovers quickly.
    heartbeatFrequencyMS: 2_000,
  });
  const named = client.options.dbName;
  const dbName = options.dbName ?? (named && named !== "test" ? named : "dogi");
  return new MongoSessionStore(client, client.db(dbName));
}

class MongoSessionStore implements SessionStore {
  readonly kind = "mongodb" as const;
  private readonly sessions: Collection<SessionDoc>;
  private readonly turns: Collection<TurnDoc>;
  private readonly claims: Collection<TurnClaimDoc>;
  /**
   * The last queued write to each session document. FerretDB applies an update as
   * read-modify-write of the whole document, so two concurrent updates of one session can lose
   * one of them (a burst of 20 appends left its turn counter at 15 or 16 about one run in six).
   * This process's writes to a session document therefore go one at a time. (Several session
   * service replicas on FerretDB could still race; the turn indexes stay safe either way, as
   * they are claimed by unique inserts.) A user's session creations queue the same way, under
   * `user:${userId}`, so that this process counts them exactly against the cap.
   */
  private readonly writes = new KeyedQueue();

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {
    this.sessions = db.collection<SessionDoc>("llm_sessions");
    this.turns = db.collection<TurnDoc>("llm_messages");
    this.claims = db.collection<TurnClaimDoc>("llm_turn_claims");
  }

  async init(): Promise<void> {
    await this.run(async () => {
      await this.sessions.createIndex({ user_id: 1, updated_at: -1 }, { name: "user_updated" });
      await this.turns.createIndex(
        { session_id: 1, message_index: 1 },
        { unique: true, name: "session_index" },
      );
      await this.turns.createIndex(
        { session_id: 1, idempotency_key: 1 },
        { unique: true, name: "session_idempotency" },
      );
      await this.turns.createIndex({ user_id: 1 }, { name: "user" });
      // The sweep of abandoned turns looks for the few pending ones.
      await this.turns.createIndex({ status: 1 }, { name: "status" });
      await this.claims.createIndex({ created_at: 1 }, { name: "created" });
      // The usage report reads a window of turns by creation time; the feedback list, rated ones.
      await this.turns.createIndex({ created_at: 1 }, { name: "created" });
      await this.turns.createIndex({ "feedback.at": -1 }, { name: "feedback_at" });
    });
  }

  async ping(): Promise<void> {
    await this.run(() => this.db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async insertSession(session: TChatSession, cap: { maxPerUser: number }): Promise<boolean> {
    return this.run(() =>
      this.writes.run(`user:${session.userId}`, () => this.insertCapped(session, cap)),
    );
  }

  private async insertCapped(session: TChatSession, cap: { maxPerUser: number }): Promise<boolean> {
    const count = () => this.sessions.countDocuments({ user_id: session.userId });
    if ((await count()) >= cap.maxPerUser) return false;
    await this.sessions.insertOne({
      _id: session.sessionId,
      user_id: session.userId,
      pet_id: session.petId,
      title: session.title,
      title_source: session.titleSource,
      created_at: new Date(session.createdAt),
      updated_at: new Date(session.updatedAt),
      turn_count: session.turnCount,
    });
    // No transactions (FerretDB), and other replicas do not share this process's queue: their
    // inserts may pass the count above at the same time. Each counts again after its own insert
    // and backs out when over the cap; the last to count sees every insert that stays, so the
    // user ends with at most maxPerUser sessions.
    if ((await count()) <= cap.maxPerUser) return true;
    await this.sessions.deleteOne({ _id: session.sessionId });
    return false;
  }

  async findSession(userId: string, sessionId: string): Promise<TChatSession | null> {
    // Looked up by _id alone and checked here: FerretDB's SQLite handler uses an index only for
    // a bare {_id} filter and scans the collection for anything more.
    const doc = await this.run(() => this.sessions.findOne({ _id: sessionId }));
    return doc && doc.user_id === userId ? toSession(doc) : null;
  }

  async listSessions(query: ListSessionsQuery): Promise<TChatSession[]> {
    const filter: Filter<SessionDoc> = { user_id: query.userId };
    if (query.search !== undefined) {
      filter.title = { $regex: escapeRegex(query.search), $options: "i" };
    }
    if (query.after) {
      const at = new Date(query.after.updatedAt);
      filter.$or = [
        { updated_at: { $lt: at } },
        { updated_at: at, _id: { $lt: query.after.sessionId } },
      ];
    }
    const docs = await this.run(() =>
      this.sessions.find(filter).sort({ updated_at: -1, _id: -1 }).limit(query.limit).toArray(),
    );
    return docs.map(toSession);
  }

  async setTitle(change: TitleChange): Promise<TChatSession | null> {
    const filter: Filter<SessionDoc> = { _id: change.sessionId, user_id: change.userId };
    if (change.replaceable) filter.title_source = { $in: [...change.replaceable] };
    const doc = await this.run(() =>
      this.writes.run(change.sessionId, () =>
        this.sessions.findOneAndUpdate(
          filter,
          {
            $set: {
              title: change.title,
              title_source: change.titleSource,
              updated_at: new Date(change.now),
            },
          },
          { returnDocument: "after" },
        ),
      ),
    );
    return doc ? toSession(doc) : null;
  }

  async deleteSession(userId: string, sessionId: string): Promise<boolean> {
    return this.run(async () => {
      // The session goes first: once it is gone no call can reach its turns, and a crash
      // before the second delete leaves only unreachable rows behind.
      const { deletedCount } = await this.sessions.deleteOne({ _id: sessionId, user_id: userId });
      if (deletedCount === 0) return false;
      await this.turns.deleteMany({ session_id: sessionId, user_id: userId });
      return true;
    });
  }

  async deleteAllForUser(userId: string): Promise<number> {
    return this.run(async () => {
      const { deletedCount } = await this.sessions.deleteMany({ user_id: userId });
      await this.turns.deleteMany({ user_id: userId });
      return deletedCount;
    });
  }

  async appendTurn(turn: NewTurn): Promise<{ turn: StoredTurn; created: boolean } | "full" | null> {
    return this.run(async () => {
      const retried = await this.findByClientId(turn);
      if (retried) return { turn: retried, created: false };
      const session = await this.sessions.findOne(
        { _id: turn.sessionId },
        { projection: { user_id: 1, turn_count: 1 } },
      );
      if (!session || session.user_id !== turn.userId) return null;

      // No transactions on FerretDB: an index is claimed only by inserting the turn under the
      // unique (session_id, message_index) index, so a failed attempt never leaves a gap. The
      // session's counter is a hint that is never ahead of the stored turns.
      let index = session.turn_count;
      for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt += 1) {
        // Indexes are taken in order without gaps, so none at or past the cap means no more
        // than maxTurns turns, however many appends race.
        if (index >= turn.maxTurns) return "full";
        const doc = newTurnDoc(turn, index);
        try {
          await this.turns.insertOne(doc);
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
          const raced = await this.findByClientId(turn);
          if (raced) return { turn: raced, created: false };
          // Skip past every index taken meanwhile: the counter can lag behind a burst (and
          // FerretDB may even lose a concurrent $max), so +1 alone could take a long walk.
          const newest = await this.turns.findOne(
            { session_id: turn.sessionId },
            { sort: { message_index: -1 }, projection: { message_index: 1 } },
          );
          index = Math.max(index + 1, (newest?.message_index ?? -1) + 1);
          continue;
        }
        const { matchedCount } = await this.writes.run(turn.sessionId, () =>
          this.sessions.updateOne(
            { _id: turn.sessionId, user_id: turn.userId },
            { $max: { turn_count: index + 1 }, $set: { updated_at: new Date(turn.now) } },
          ),
        );
        if (matchedCount === 0) {
          // The session was deleted while the turn went in: take the orphan back out.
          await this.turns.deleteOne({ _id: doc._id });
          return null;
        }
        if (index === 0) {
          await this.writes.run(turn.sessionId, () =>
            this.sessions.updateOne(
              { _id: turn.sessionId, title_source: "default" },
              { $set: { title: turn.autoTitle, title_source: "auto" } },
            ),
          );
        }
        return { turn: toTurn(doc), created: true };
      }
      throw new AppError(
        "CONFLICT",
        "Too many messages were added to this session at once; try again.",
      );
    });
  }

  async findTurn(
    userId: string,
    sessionId: string,
    messageIndex: number,
  ): Promise<StoredTurn | null> {
    const doc = await this.run(() => this.turns.findOne({ _id: turnId(sessionId, messageIndex) }));
    return doc && doc.user_id === userId ? toTurn(doc) : null;
  }

  async listTurns(query: ListTurnsQuery): Promise<StoredTurn[]> {
    const docs = await this.run(() =>
      this.turns
        .find({
          session_id: query.sessionId,
          user_id: query.userId,
          message_index: { $gt: query.afterIndex },
        })
        .sort({ message_index: 1 })
        .limit(query.limit)
        .toArray(),
    );
    return docs.map(toTurn);
  }

  async lastTurn(userId: string, sessionId: string): Promise<StoredTurn | null> {
    const doc = await this.run(() =>
      this.turns.findOne(
        { session_id: sessionId, user_id: userId },
        { sort: { message_index: -1 } },
      ),
    );
    return doc ? toTurn(doc) : null;
  }

  async updateTurn(update: TurnUpdate): Promise<StoredTurn | null> {
    const { change } = update;
    const id = turnId(update.sessionId, update.messageIndex);
    return this.run(async () => {
      const claim = `${id}@${update.ifRevision}`;
      try {
        await this.claims.insertOne({ _id: claim, created_at: new Date(update.now) });
      } catch (error) {
        if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return null;
        throw error;
      }
      // The revision condition makes this a compare-and-set (MongoDB answers it from the _id
      // index; FerretDB scans, which the benchmark shows). The claim is dropped afterwards: a
      // late writer still holding this revision then matches nothing, since it has moved on.
      const doc = await this.turns
        .findOneAndUpdate(
          {
            _id: id,
            user_id: update.userId,
            revision: update.ifRevision,
          },
          {
            $set: {
              answer: change.answer,
              citations: change.citations,
              model: change.model,
              usage: change.usage === null ? null : fromUsage(change.usage),
              status: change.status,
              error: change.error,
              completed_at: change.completedAt === null ? null : new Date(change.completedAt),
              triage: change.triage,
              prompt_context: change.promptContext,
              feedback: change.feedback === null ? null : fromFeedback(change.feedback),
              first_token_ms: change.firstTokenMs,
              retrieval_only: change.retrievalOnly,
              answer_chars: change.answerChars,
              ...(change.attemptStartedAt === undefined
                ? {}
                : { attempt_started_at: new Date(change.attemptStartedAt) }),
            },
            $inc: { revision: 1 },
            ...(change.pushHistory === undefined ? {} : { $push: { history: change.pushHistory } }),
          },
          { returnDocument: "after" },
        )
        .finally(() => this.claims.deleteOne({ _id: claim }));
      if (doc && change.pushHistory !== undefined) {
        await this.writes.run(update.sessionId, () =>
          this.sessions.updateOne(
            { _id: update.sessionId, user_id: update.userId },
            { $set: { updated_at: new Date(update.now) } },
          ),
        );
      }
      return doc ? toTurn(doc) : null;
    });
  }

  async listStaleTurns(query: StaleTurnsQuery): Promise<Array<StoredTurn & { userId: string }>> {
    const startedBy = new Date(query.startedBy);
    const docs = await this.run(() =>
      this.turns
        .find({
          status: "pending",
          $or: [
            { attempt_started_at: { $lte: startedBy } },
            { attempt_started_at: { $exists: false }, created_at: { $lte: startedBy } },
          ],
        })
        .sort({ created_at: 1 })
        .limit(query.limit)
        .toArray(),
    );
    return docs.map((doc) => ({ ...toTurn(doc), userId: doc.user_id }));
  }

  async dropLeftoverClaims(takenBy: string): Promise<number> {
    // A live claim lasts one findOneAndUpdate (bounded by the socket timeout); one this old
    // was left by a process that died between taking and dropping it.
    const { deletedCount } = await this.run(() =>
      this.claims.deleteMany({ created_at: { $lte: new Date(takenBy) } }),
    );
    return deletedCount;
  }

  async *usageRows(window: { since: string; until: string }): AsyncIterable<UsageRow> {
    // Only the small fields: the question, answer and citations stay in the database.
    const cursor = this.turns
      .find(
        { created_at: { $gte: new Date(window.since), $lt: new Date(window.until) } },
        {
          projection: {
            created_at: 1,
            status: 1,
            usage: 1,
            error: 1,
            triage: 1,
            feedback: 1,
            first_token_ms: 1,
            answer_chars: 1,
            retrieval_only: 1,
          },
        },
      )
      .batchSize(1_000);
    try {
      for await (const doc of cursor) {
        yield {
          createdAt: doc.created_at.toISOString(),
          status: doc.status,
          promptTokens: doc.usage?.prompt_tokens ?? null,
          completionTokens: doc.usage?.completion_tokens ?? null,
          errorCode: doc.error?.code ?? null,
          firstTokenMs: doc.first_token_ms ?? null,
          answerChars: doc.answer_chars ?? null,
          retrievalOnly: doc.retrieval_only ?? false,
          triageLevel: doc.triage?.level ?? null,
          triageSigns: doc.triage?.signs.map((sign) => sign.id) ?? [],
          feedbackRating: doc.feedback?.rating ?? null,
        };
      }
    } catch (error) {
      throw translateError(error);
    } finally {
      await cursor.close();
    }
  }

  async countActivity(
    userIds: readonly string[],
  ): Promise<Map<string, { sessions: number; turns: number }>> {
    const counts = new Map<string, { sessions: number; turns: number }>();
    if (userIds.length === 0) return counts;
    const byUser = [
      { $match: { user_id: { $in: [...userIds] } } },
      { $group: { _id: "$user_id", n: { $sum: 1 } } },
    ];
    const [sessions, turns] = await this.run(() =>
      Promise.all([
        this.sessions.aggregate<{ _id: string; n: number }>(byUser).toArray(),
        this.turns.aggregate<{ _id: string; n: number }>(byUser).toArray(),
      ]),
    );
    for (const row of sessions) counts.set(row._id, { sessions: row.n, turns: 0 });
    for (const row of turns)
      counts.set(row._id, { sessions: counts.get(row._id)?.sessions ?? 0, turns: row.n });
    return counts;
  }

  async listFeedback(query: FeedbackQuery): Promise<StoredTurn[]> {
    const filter: Filter<TurnDoc> = { "feedback.at": { $gte: new Date(query.since) } };
    if (query.rating !== undefined) filter["feedback.rating"] = query.rating;
    if (query.after) {
      const at = new Date(query.after.at);
      filter.$or = [
        { "feedback.at": { $lt: at } },
        { "feedback.at": at, session_id: { $lt: query.after.sessionId } },
        {
          "feedback.at": at,
          session_id: query.after.sessionId,
          message_index: { $lt: query.after.messageIndex },
        },
      ];
    }
    const docs = await this.run(() =>
      this.turns
        .find(filter)
        .sort({ "feedback.at": -1, session_id: -1, message_index: -1 })
        .limit(query.limit)
        .toArray(),
    );
    return docs.map(toTurn);
  }

  private async findByClientId(turn: {
    userId: string;
    sessionId: string;
    clientMessageId: string | null;
  }): Promise<StoredTurn | null> {
    if (turn.clientMessageId === null) return null;
    const doc = await this.turns.findOne({
      session_id: turn.sessionId,
      user_id: turn.userId,
      idempotency_key: turn.clientMessageId,
    });
    return doc ? toTurn(doc) : null;
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw translateError(error);
    }
  }
}

function turnId(sessionId: string, messageIndex: number): string {
  return `${sessionId}/${messageIndex}`;
}

function newTurnDoc(
  turn: {
    userId: string;
    sessionId: string;
    question: string;
    clientMessageId: string | null;
    now: string;
  },
  index: number,
): TurnDoc {
  return {
    _id: turnId(turn.sessionId, index),
    session_id: turn.sessionId,
    user_id: turn.userId,
    message_index: index,
    question: turn.question,
    answer: null,
    citations: [],
    model: null,
    usage: null,
    status: "pending",
    error: null,
    client_message_id: turn.clientMessageId,
    // "#" cannot occur in a client message id, so generated keys never meet a client's.
    idempotency_key: turn.clientMessageId ?? `#${index}`,
    created_at: new Date(turn.now),
    completed_at: null,
    history: [],
    revision: 0,
    triage: null,
    attempt_started_at: new Date(turn.now),
    prompt_context: null,
    feedback: null,
    first_token_ms: null,
    retrieval_only: false,
    answer_chars: null,
  };
}

// Server selection, dropped connections, a closed pool and a full wait queue all mean
// "the database is not reachable right now".
const UNAVAILABLE_NAMES = new Set([
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoServerClosedError",
  "MongoPoolClearedError",
  "MongoPoolClosedError",
  "MongoWaitQueueTimeoutError",
  "MongoClientClosedError",
]);

function translateError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    (error instanceof Error && UNAVAILABLE_NAMES.has(error.name))
  ) {
    return new AppError(
      "UPSTREAM_UNAVAILABLE",
      "The session database is unreachable; try again shortly.",
      { cause: error },
    );
  }
  return error;
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function fromUsage(usage: TTokenUsage): { prompt_tokens: number; completion_tokens: number } {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens };
}

function fromFeedback(feedback: TTurnFeedback): NonNullable<TurnDoc["feedback"]> {
  return { rating: feedback.rating, comment: feedback.comment, at: new Date(feedback.at) };
}

function toSession(doc: SessionDoc): TChatSession {
  return {
    // Ids were validated on the way in; the database hands back plain strings.
    sessionId: doc._id as TSessionId,
    userId: doc.user_id as TUserId,
    petId: doc.pet_id as TPetId | null,
    title: doc.title,
    titleSource: doc.title_source,
    createdAt: doc.created_at.toISOString(),
    updatedAt: doc.updated_at.toISOString(),
    turnCount: doc.turn_count,
  };
}

function toTurn(doc: TurnDoc): StoredTurn {
  return {
    sessionId: doc.session_id as TSessionId,
    messageIndex: doc.message_index,
    question: doc.question,
    answer: doc.answer,
    citations: doc.citations,
    model: doc.model,
    usage:
      doc.usage === null
        ? null
        : { promptTokens: doc.usage.prompt_tokens, completionTokens: doc.usage.completion_tokens },
    status: doc.status,
    error: doc.error,
    clientMessageId: doc.client_message_id,
    createdAt: doc.created_at.toISOString(),
    completedAt: doc.completed_at === null ? null : doc.completed_at.toISOString(),
    history: doc.history,
    triage: doc.triage ?? null,
    promptContext: doc.prompt_context ?? null,
    revision: doc.revision,
    attemptStartedAt: (doc.attempt_started_at ?? doc.created_at).toISOString(),
    feedback: doc.feedback
      ? {
          rating: doc.feedback.rating,
          comment: doc.feedback.comment,
          at: doc.feedback.at.toISOString(),
        }
      : null,
    firstTokenMs: doc.first_token_ms ?? null,
    retrievalOnly: doc.retrieval_only ?? false,
    answerChars: doc.answer_chars ?? null,
  };
}
