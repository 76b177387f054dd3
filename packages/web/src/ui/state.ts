import type { TurnFeedback } from "../api/admin-types.ts";
import type { Api } from "../api/client.ts";
import type {
  Citation,
  DoneEvent,
  Pet,
  Session,
  TriageEvent,
  Turn,
  User,
  WebStatus,
} from "../api/types.ts";
import type { AdminTab } from "./admin/admin.ts";

/** A turn as the page shows it: stored, or being streamed right now. */
export interface ViewTurn {
  index: number | null;
  question: string;
  answer: string;
  citations: Citation[];
  status: Turn["status"] | "streaming";
  model: string | null;
  usage: Turn["usage"];
  timings: DoneEvent["timings"] | null;
  error: string | null;
  stopped: boolean;
  createdAt: string;
  completedAt: string | null;
  /** The triage of the question (emergency or urgent), when it fired; a second opinion replaces it. */
  triage: TriageEvent | null;
  /** Every triage message the answer was sent with, so the page can show the answer without it. */
  triageMessages: string[];
  /** While the question waits for the model: its place in line and the estimated wait. */
  queue?: { position: number; waitSeconds: number } | null;
  /** The owner's thumbs up or down on the answer, as stored. */
  feedback: TurnFeedback | null;
}

/** Everything the page shows; views read it and call `render` after changing it. */
export interface State {
  user: User | null;
  sessions: Session[];
  search: string;
  currentId: string | null;
  turns: ViewTurn[];
  pets: Pet[];
  /** The pet the next question is about (the session's pet by default). */
  petId: string | null;
  status: WebStatus;
  /** The answer being streamed, and how to stop it. */
  streaming: { controller: AbortController; turn: ViewTurn } | null;
  /** A problem to explain, in words, at the top of the page. */
  notice: string | null;
  loadingTurns: boolean;
  /** The admin screen shown instead of the chat (admins only), or null for the chat. */
  adminTab: AdminTab | null;
}

/** What the views share: the gateway client, the state, and the page's reactions. */
export interface Ctx {
  api: Api;
  state: State;
  /** Re-renders the whole page from the state (not the streaming answer's text). */
  render(): void;
  /** Explains a failed request to the person at the top of the page. */
  fail(error: unknown): void;
  /** Opens a session (or none: a new chat), updating the address bar. */
  open(sessionId: string | null, push?: boolean): Promise<void>;
  refreshSessions(): Promise<void>;
  /** Shows an admin screen, or the chat again (null), updating the address bar. */
  openAdmin(tab: AdminTab | null): void;
}

/** A stored turn in the page's form. */
export function viewOf(turn: Turn): ViewTurn {
  return {
    index: turn.message_index,
    question: turn.question,
    answer: turn.answer ?? "",
    citations: turn.citations,
    status: turn.status,
    model: turn.model,
    usage: turn.usage,
    timings: null,
    error: turn.error?.message ?? null,
    stopped: false,
    createdAt: turn.created_at,
    completedAt: turn.completed_at,
    triage: turn.triage ? { ...turn.triage, message_index: turn.message_index } : null,
    triageMessages: turn.triage ? [turn.triage.message] : [],
    feedback: turn.feedback ?? null,
  };
}

/** The state before anyone signs in. */
export function initialState(): State {
  return {
    user: null,
    sessions: [],
    search: "",
    currentId: null,
    turns: [],
    pets: [],
    petId: null,
    status: { mode: "unknown" },
    streaming: null,
    notice: null,
    loadingTurns: false,
    adminTab: null,
  };
}
