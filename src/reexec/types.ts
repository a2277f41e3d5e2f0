/** A re-exec entry point: gets the user arguments; its result is the exit status (void = 0). */
export type Initializer = (args: string[]) => number | void | Promise<number | void>

/** Imports an initializer on demand, so registering one costs nothing at start-up. */
export type InitializerLoader = () => Promise<Initializer>
