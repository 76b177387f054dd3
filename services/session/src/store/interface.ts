import type {
  TChatSession,
  TCitation,
  TFeedbackRating,
  TPromptContext,
  TTitleSource,
  TTokenUsage,
  TTurn,
  TTurnAttempt,
  TTurnError,
  TTurnStatus,
  TTriage,
  TTurnFeedback,
} from "@dogi/contracts";

/**
 * A turn as stored: the public turn plus the revision that guards concurrent updates and the
 * context its prompt was sent with.
 */
export interface StoredTurn extends TTurn {
  revision: number;
  /** What the answer's prompt carried (null: not kept, pending, or stored before it was kept). */
  promptContext: TPromptContext | null;
  /** When the current attempt began (the turn's creation, or its last regenerate or retry). */
  attemptStartedAt: string;
  feedback: TTurnFeedback | null;
  /** The current attempt's timing (operators' usage report; never shown on the public turn). */
  firstTokenMs: number | null;
  retrievalOnly: boolean;
  /** Length of a completed answer, kept so the usage report never reads the answers themselves. */
  answerChars: number | null;
}

/** What the usage report reads of one turn: small fields only, never the question or answer. */
export interface UsageRow {
  createdAt: string;
  status: TTurnStatus;
  promptTokens: number | null;
  completionTokens: number | null;
  errorCode: string | null;
  firstTokenMs: number | null;
  answerChars: number | null;
  retrievalOnly: boolean;
  triageLevel: string | null;
  /** The ids of the signs triage found. */
  triageSigns: string[];
  feedbackRating: TFeedbackRating | null;
}

/** Where a page of rated turns starts: after this position in newest-rating-first order. */
export interface FeedbackPosition {
  at: string;
  sessionId: string;
  messageIndex: number;
}

/** Where a page of sessions starts: after this (updatedAt, sessionId) in newest-first order. */
export interface SessionPosition {
  updatedAt: string;
  sessionId: string;
}

/** The fields a turn update writes. */
export interface TurnChange {
  answer: string | null;
  citations: TCitation[];
  model: string | null;
  usage: TTokenUsage | null;
  status: TTurnStatus;
  error: TTurnError | null;
  completedAt: string | null;
  /** The question's emergency triage (null: none, or not yet known for a pending turn). */
  triage: TTriage | null;
  /** What the answer's prompt carried (null: none kept; a new attempt clears it). */
  promptContext: TPromptContext | null;
  /** Appended to the turn's history (regenerate). */
  pushHistory?: TTurnAttempt;
  /** Set when the change starts a new attempt (the turn goes back to pending). */
  attemptStartedAt?: string;
  /** The owner's rating (a new attempt clears it: it was about the old answer). */
  feedback: TTurnFeedback | null;
  firstTokenMs: number | null;
  retrievalOnly: boolean;
  answerChars: number | null;
}

/**
 * Persistence of sessions and turns. Every method is scoped by userId: a session of another
 * user behaves exactly like one that does not exist. A database that cannot be reached makes
 * every method reject with AppError UPSTREAM_UNAVAILABLE.
 */
/** A page of one user's sessions, after a position. */
export interface ListSessionsQuery {
  userId: string;
  search?: string | undefined;
  after?: SessionPosition | undefined;
  limit: number;
}

/** A new title for a session, and which current sources it may replace. */
export interface TitleChange {
  userId: string;
  sessionId: string;
  title: string;
  titleSource: TTitleSource;
  replaceable?: readonly TTitleSource[];
  now: string;
}

/** A pending turn to append to a session. */
export interface NewTurn {
  userId: string;
  sessionId: string;
  question: string;
  clientMessageId: string | null;
  autoTitle: string;
  now: string;
  maxTurns: number;
}

/** A page of one session's turns, after a message index. */
export interface ListTurnsQuery {
  userId: string;
  sessionId: string;
  afterIndex: number;
  limit: number;
}

/** A change to a turn, applied only at the revision it was read at. */
export interface TurnUpdate {
  userId: string;
  sessionId: string;
  messageIndex: number;
  ifRevision: number;
  change: TurnChange;
  now: string;
}

/** Which pending turns count as abandoned, and how many to read. */
export interface StaleTurnsQuery {
  startedBy: string;
  limit: number;
}

/** A page of rated turns, newest rating first. */
export interface FeedbackQuery {
  since: string;
  rating?: TFeedbackRating | undefined;
  after?: FeedbackPosition | undefined;
  limit: number;
}

export interface SessionStore {
  readonly kind: "mongodb" | "sqlite";
  /** Creates tables/collections and indexes; safe to run on every start. */
  init(): Promise<void>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * Stores a new session unless its user already has `maxPerUser`; false when refused. Two
   * racing inserts may both be refused near the cap, but once they return the user never has
   * more than `maxPerUser` (MongoDB: briefly one more per concurrent insert, then rolled back).
   */
  insertSession(session: TChatSession, cap: { maxPerUser: number }): Promise<boolean>;
  findSession(userId: string, sessionId: string): Promise<TChatSession | null>;
  /** Newest updatedAt first, ties by sessionId descending. */
  listSessions(query: ListSessionsQuery): Promise<TChatSession[]>;
  /**
   * Sets the title when the session's current titleSource is in `replaceable` (all sources when
   * omitted); null when the session is missing or its title may not be replaced.
   */
  setTitle(change: TitleChange): Promise<TChatSession | null>;
  /** Deletes the session and its turns; false when there was no such session. */
  deleteSession(userId: string, sessionId: string): Promise<boolean>;
  /** Deletes every session and turn of the user; returns how many sessions went. */
  deleteAllForUser(userId: string): Promise<number>;

  /**
   * Stores a new pending turn at the next message index, atomically; with a clientMessageId
   * already used in this session, returns that turn instead. Null when the session is missing;
   * "full" when it holds `maxTurns` turns already (exact under any concurrency: an index at or
   * past the cap is never taken). The first turn of a session whose title is still the default
   * also names the session.
   */
  appendTurn(turn: NewTurn): Promise<{ turn: StoredTurn; created: boolean } | "full" | null>;
  findTurn(userId: string, sessionId: string, messageIndex: number): Promise<StoredTurn | null>;
  /** Turns with messageIndex > afterIndex, ascending. */
  listTurns(query: ListTurnsQuery): Promise<StoredTurn[]>;
  /** The turn with the highest message index, or null when the session has none. */
  lastTurn(userId: string, sessionId: string): Promise<StoredTurn | null>;
  /**
   * Applies `change` only if the turn still has `ifRevision`, bumping the revision; null when
   * the turn is missing or changed meanwhile. A regenerated turn also bumps the session's updatedAt.
   */
  updateTurn(update: TurnUpdate): Promise<StoredTurn | null>;
  /**
   * Pending turns of every user whose current attempt began at or before `startedBy`, at
   * most `limit`, oldest first (the sweep of abandoned turns; it changes them through updateTurn).
   */
  listStaleTurns(query: StaleTurnsQuery): Promise<Array<StoredTurn & { userId: string }>>;
  /**
   * Drops the write claims of updateTurn taken at or before `takenBy`, left behind by a crash (each
   * would block its turn's revision for good); how many went. SQLite keeps none.
   */
  dropLeftoverClaims(takenBy: string): Promise<number>;

  /**
   * The usage fields of every user's turns created in [since, until), read a batch at a time
   * (operators' usage report).
   */
  usageRows(window: { since: string; until: string }): AsyncIterable<UsageRow>;
  /** How many sessions and turns each of these users has; users with none are left out. */
  countActivity(
    userIds: readonly string[],
  ): Promise<Map<string, { sessions: number; turns: number }>>;
  /**
   * Rated turns of every user whose rating was given at or after `since`, newest rating first
   * (ties by sessionId, then messageIndex, descending).
   */
  listFeedback(query: FeedbackQuery): Promise<StoredTurn[]>;
}
