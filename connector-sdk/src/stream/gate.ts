/** An open/closed gate that readers await: closing it stops reading the socket (TCP back-pressure). */
export class Gate {
  private isOpen = true;
  private waiters: (() => void)[] = [];

  get open(): boolean {
    return this.isOpen;
  }

  close(): void {
    this.isOpen = false;
  }

  release(): void {
    this.isOpen = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(): Promise<void> {
    return this.isOpen ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
