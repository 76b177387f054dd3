import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from "node-llama-cpp";
import type { TChatMessage } from "@dogi/contracts";
import { InvalidParamError } from "./errors.ts";

function textOf(content: TChatMessage["content"]): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text).join("");
}

function parseArguments(raw: string, where: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new InvalidParamError(`${where}.function.arguments is not valid JSON`, where);
  }
}

/**
 * OpenAI messages as node-llama-cpp chat history. Assistant tool calls become function calls
 * whose results come from the `tool` messages that answer them. The history always ends with
 * a model response for the engine to write (or continue, when the caller sent one).
 */
export function toChatHistory(messages: readonly TChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const pendingCalls = new Map<string, ChatModelFunctionCall>();
  messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case "system":
      case "developer":
        history.push({ type: "system", text: textOf(message.content) });
        return;
      case "user":
        history.push({ type: "user", text: textOf(message.content) });
        return;
      case "assistant": {
        const response: ChatModelResponse["response"] = [];
        const text = textOf(message.content);
        if (text) response.push(text);
        (message.tool_calls ?? []).forEach((call, callIndex) => {
          const item: ChatModelFunctionCall = {
            type: "functionCall",
            name: call.function.name,
            params: parseArguments(call.function.arguments, `${where}.tool_calls[${callIndex}]`),
            result: undefined,
          };
          pendingCalls.set(call.id, item);
          response.push(item);
        });
        history.push({ type: "model", response });
        return;
      }
      case "tool": {
        const call = pendingCalls.get(message.tool_call_id);
        if (!call) {
          throw new InvalidParamError(
            `${where}.tool_call_id "${message.tool_call_id}" answers no earlier assistant tool call`,
            `${where}.tool_call_id`,
          );
        }
        const text = textOf(message.content);
        try {
          call.result = JSON.parse(text) as unknown;
        } catch {
          call.result = text;
        }
        pendingCalls.delete(message.tool_call_id);
        return;
      }
    }
  });
  const last = history.at(-1);
  if (last?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}
