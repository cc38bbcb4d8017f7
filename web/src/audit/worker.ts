/** The audit log's Worker: hashes entries to check the chains, and digests arguments, off the tab's main thread. */
import '../jitlessZod.ts';
import { expose } from 'comlink';
import { inProcessChecker } from './auditChecker.ts';

expose(inProcessChecker);
