/** The broker's native storage: segment logs per partition, on disk or in memory. */
export { LogManager, type LogManagerOptions, type LogFigures } from './log-manager.js';
export { PartitionLog, type AppendResult, type PartitionLogOptions, CLEAN_SHUTDOWN_FILE, RECOVERY_POINT_FILE } from './partition-log.js';
export { PartitionKeyValueLog } from './partition-key-value-log.js';
export { StorageError, FsDir, MemoryDir, MemoryQuota, OpenFiles, DEFAULT_MAX_OPEN_FILES, type LogDir, type LogFile } from './storage.js';
export { ReadArena, ReadPool } from './read-buffers.js';
export { logConfig, type LogConfig, type TopicConfigInput } from './config.js';
export { compact, compaction, type CompactionStats } from './cleaner.js';
export type { KeyValueLog, KeyValueRecord } from './key-value-log.js';
