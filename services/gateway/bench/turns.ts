// Chat turns and the prompt cache: a scripted 8-turn conversation in Korean and one in English
// through the public REST API, then 8 conversations at once on 4 inference slots. Per turn it
// prints the prompt tokens, how many came from inference's prompt cache (the done event's
// usage.prompt_tokens_details.cached_tokens), the time to the first answer token, and the
// gateway's work before generation (timings.retrieval_ms: triage, retrieval, earlier turns).
// Targets (issue 21): from turn 2 on at least 70 % of prompt tokens cached; with 8 conversations
// on 4 slots at least 50 %; the gateway's work before generation p50 <= 15 ms. The comparison
// with llama-server (cache_prompt, same slot) is not part of this script yet.
// Run: node --import tsx services/gateway/bench/turns.ts [tiny|bench]
// The last line is one JSON object with the figures.
import { ensureBenchModel, ensureTinyModel } from "@dogi/testing";
import { Api, readEvents } from "../src/testing/api.ts";
import { startStack } from "../src/testing/stack.ts";
import { percentile, round } from "./measure.ts";

const MODEL = process.argv[2] === "bench" ? "bench" : "tiny";
const SLOTS = 4;
const ANSWER_TOKENS = 48;

const QUESTIONS = {
  ko: [
    "우리 강아지가 어제부터 밥을 잘 안 먹어요. 괜찮을까요?",
    "물은 평소처럼 마셔요. 간식은 먹어요.",
    "나이는 7살이고 말티즈예요. 체중은 3.5kg이에요.",
    "산책은 좋아하는데 조금 덜 뛰어요.",
    "사료를 바꿔야 할까요?",
    "집에서 체크할 수 있는 게 있을까요?",
    "병원에 가야 하는 신호는 뭐예요?",
    "고마워요. 마지막으로 정리해 줄래요?",
  ],
  en: [
    "My cat has been sneezing for two days. Should I worry?",
    "She is eating and drinking normally.",
    "She is four years old and lives indoors.",
    "Her eyes look a bit watery too.",
    "Could it be an allergy?",
    "What can I do at home in the meantime?",
    "When should I take her to the vet?",
    "Thanks. Could you sum it up?",
  ],
};

async function modelPath(): Promise<string> {
  return MODEL === "tiny" ? ensureTinyModel() : ensureBenchModel();
}

interface TurnFigures {
  promptTokens: number;
  cachedTokens: number;
  ttftMs: number;
  beforeGenerationMs: number;
}

const stack = await startStack({
  MODEL_PATH: await modelPath(),
  INFERENCE_PARALLEL: String(SLOTS),
  INFERENCE_SLOTS_PER_CALLER: "0",
  CHAT_MAX_TOKENS: String(ANSWER_TOKENS),
  CHAT_IGNORE_EOS: "true",
  TRIAGE_MODEL: "off",
  CHAT_TURNS_PER_MINUTE: "1000",
  CHAT_TOKENS_PER_MINUTE: "10000000",
  RATE_LIMIT_USER_PER_MINUTE: "100000",
  RATE_LIMIT_IP_PER_MINUTE: "100000",
});

async function conversation(questions: readonly string[]): Promise<TurnFigures[]> {
  const api = new Api(stack.url);
  await api.register();
  const session = await api.call("POST", "/v1/llm/sessions", { title: "bench" });
  const sessionId = String(session.json.session_id);
  const figures: TurnFigures[] = [];
  for (const question of questions) {
    const started = performance.now();
    const response = await fetch(`${stack.url}/v1/llm/sessions/${sessionId}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.token}` },
      body: JSON.stringify({ question }),
    });
    const events = await readEvents(response);
    const done = events.find((event) => event.event === "done");
    if (!done) throw new Error(`a turn failed: ${JSON.stringify(events.at(-1))}`);
    const usage = done.data.usage;
    figures.push({
      promptTokens: Number(usage.prompt_tokens),
      cachedTokens: Number(usage.prompt_tokens_details?.cached_tokens ?? 0),
      ttftMs: Number(done.data.timings.first_token_ms ?? performance.now() - started),
      beforeGenerationMs: Number(done.data.timings.retrieval_ms),
    });
  }
  return figures;
}

const cachedShare = (turns: readonly TurnFigures[]) => {
  const prompt = turns.reduce((sum, t) => sum + t.promptTokens, 0);
  return prompt === 0 ? 0 : turns.reduce((sum, t) => sum + t.cachedTokens, 0) / prompt;
};

try {
  const single: Record<string, TurnFigures[]> = {};
  for (const [language, questions] of Object.entries(QUESTIONS)) {
    single[language] = await conversation(questions);
    console.log(`\n${language}: turn  prompt  cached  ttft_ms  before_generation_ms`);
    single[language].forEach((t, i) =>
      console.log(
        `${language}: ${String(i + 1).padStart(4)}  ${String(t.promptTokens).padStart(6)}  ${String(t.cachedTokens).padStart(6)}  ${String(round(t.ttftMs)).padStart(7)}  ${String(round(t.beforeGenerationMs)).padStart(20)}`,
      ),
    );
  }
  const laterTurns = Object.values(single).flatMap((turns) => turns.slice(1));
  const concurrent = (
    await Promise.all(
      Array.from({ length: 2 * SLOTS }, (_, i) =>
        conversation(i % 2 === 0 ? QUESTIONS.ko.slice(0, 4) : QUESTIONS.en.slice(0, 4)),
      ),
    )
  ).flat();
  const before = [...Object.values(single).flat(), ...concurrent].map((t) => t.beforeGenerationMs);
  const result = {
    model: MODEL,
    cached_share_from_turn_2: round(cachedShare(laterTurns)),
    cached_share_8_conversations_on_4_slots: round(cachedShare(concurrent)),
    before_generation_ms_p50: round(percentile(before, 50)),
    ttft_ms_p50_from_turn_2: round(
      percentile(
        laterTurns.map((t) => t.ttftMs),
        50,
      ),
    ),
    targets: {
      cached_share_from_turn_2: 0.7,
      cached_share_8_conversations: 0.5,
      before_generation_ms_p50: 15,
    },
  };
  console.log(
    `\ncached from turn 2: ${result.cached_share_from_turn_2} (target >= 0.7); 8 conversations on ${SLOTS} slots: ${result.cached_share_8_conversations_on_4_slots} (target >= 0.5); gateway work before generation p50 ${result.before_generation_ms_p50} ms (target <= 15)`,
  );
  console.log(JSON.stringify(result));
} finally {
  await stack.stop();
}
