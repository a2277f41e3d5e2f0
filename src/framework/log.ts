// `dockerd-ts/log`: dockerd's logger (logrus's text and JSON formats, levels, fields).
export {loadStderrColour} from '../log/colour.js'
export {Logger, parseLevel} from '../log/logger.js'
export type {Fields, Format, Level, LoggerOptions, LogSink} from '../log/types.js'
