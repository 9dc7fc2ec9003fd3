/** A message as live chat subscribers receive it. */
export interface LiveMessage {
  id: number;
  chat_id: number;
  author_id: number;
  body: string;
  created_at: string;
}

type Listener = (message: LiveMessage) => void;

/**
 * In-process fan-out of new chat messages to the SSE streams of each chat (one server process;
 * several processes would put a broker such as PostgreSQL LISTEN/NOTIFY behind `publish`).
 */
export class ChatHub {
  private readonly listeners = new Map<number, Set<Listener>>();
  private readonly closers = new Set<() => void>();

  /** Calls `listener` for each message posted to `chatId`; returns the unsubscribe function. */
  subscribe(chatId: number, listener: Listener, onClose: () => void): () => void {
    let set = this.listeners.get(chatId);
    if (!set) this.listeners.set(chatId, (set = new Set()));
    set.add(listener);
    this.closers.add(onClose);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(chatId);
      this.closers.delete(onClose);
    };
  }

  /** Delivers a message to every subscriber of its chat. */
  publish(message: LiveMessage): void {
    for (const l of this.listeners.get(message.chat_id) ?? []) {
      try {
        l(message);
      } catch {
        // one broken stream must not keep the message from the others
      }
    }
  }

  /** Open streams, for tests and shutdown. */
  get size(): number {
    return this.closers.size;
  }

  /** Ends every open stream (graceful shutdown: streams would otherwise keep the server open). */
  closeAll(): void {
    for (const close of [...this.closers]) close();
  }
}
