// dockerode ships no types; the e2e test casts it to the small interface it uses.
declare module 'dockerode'
