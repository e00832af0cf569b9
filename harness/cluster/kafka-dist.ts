// Where Apache Kafka and Java come from for the `kafka` backend and Kafka's own tools.
//
// Kafka: the distribution named by KAFKA_HOME (its libs/ folder), else the jars that
// `npm run kafka:fetch` copied into kafka/libs/ from Maven Central (kafka/pom.xml pins the
// version). Either way it is a folder of jars run with `java -cp 'libs/*' <main class>`,
// which is all the bin/*.sh scripts do. Kafka 4.x only: it logs through log4j2 (configs in
// kafka/log4j2-*.properties) and its brokers need Java 17.
//
// Java: $JAVA_HOME/bin/java, else `java` on PATH. Every failure names what to install or set.

import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { ClusterError } from './cluster.ts'

export interface KafkaDist {
  /** The folder of jars on the classpath. */
  readonly libsDir: string
  /** "KAFKA_HOME=/opt/kafka" or "kafka/libs (npm run kafka:fetch)". */
  readonly origin: string
  /** From the kafka-clients jar's name, e.g. "4.1.1". */
  readonly kafkaVersion: string
  readonly javaPath: string
  /** The first line of `java -version`, e.g. 'openjdk version "17.0.15" 2025-04-15'. */
  readonly javaVersionLine: string
  readonly javaMajor: number
}

export interface LocateOptions {
  /** Defaults to process.env.KAFKA_HOME. */
  kafkaHome?: string | undefined
  /** Defaults to process.env.JAVA_HOME. */
  javaHome?: string | undefined
  /** The folder `npm run kafka:fetch` fills; kafka/libs of this checkout by default. */
  fetchedLibsDir?: string
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FETCHED_LIBS_DIR = join(REPO_ROOT, 'kafka', 'libs')
const KAFKA_MAJOR_MIN = 4
const JAVA_MAJOR_MIN = 17
const JAVA_PROBE_TIMEOUT_MS = 20_000
const FETCH_HINT = 'run `npm run kafka:fetch` (Maven fetches Kafka into kafka/libs), or set KAFKA_HOME to an unpacked Apache Kafka 4.x'

function kafkaVersionIn (libsDir: string): string | null {
  let names: string[]
  try {
    names = readdirSync(libsDir)
  } catch {
    return null
  }
  if (!names.some(n => /^kafka_2\.1[0-9]-.+\.jar$/.test(n))) return null
  const clients = names.map(n => /^kafka-clients-(\d+\.\d+\.\d+[^/]*)\.jar$/.exec(n)).find(m => m !== null)
  return clients?.[1] ?? null
}

function findKafka (opts: LocateOptions): { libsDir: string, origin: string, kafkaVersion: string } {
  const home = opts.kafkaHome ?? process.env.KAFKA_HOME
  if (home !== undefined && home !== '') {
    const libsDir = join(home, 'libs')
    const version = kafkaVersionIn(libsDir)
    if (version === null) {
      const what = existsSync(home) ? `has no libs/ with kafka_2.13-*.jar and kafka-clients-*.jar` : 'does not exist'
      throw new ClusterError('ERR_KAFKA_NOT_FOUND', `KAFKA_HOME=${home} ${what}: point KAFKA_HOME at an unpacked Apache Kafka 4.x distribution (the folder holding bin/ and libs/), or unset it and run \`npm run kafka:fetch\``)
    }
    return { libsDir, origin: `KAFKA_HOME=${home}`, kafkaVersion: version }
  }
  const libsDir = opts.fetchedLibsDir ?? FETCHED_LIBS_DIR
  const version = kafkaVersionIn(libsDir)
  if (version === null) throw new ClusterError('ERR_KAFKA_NOT_FOUND', `Apache Kafka not found: ${libsDir} has no Kafka jars and KAFKA_HOME is not set; ${FETCH_HINT}`)
  return { libsDir, origin: `${libsDir} (npm run kafka:fetch)`, kafkaVersion: version }
}

/** The major version from `java -version`: "1.8.0_392" -> 8, "17.0.15" -> 17. */
export function javaMajorOf (versionLine: string): number | null {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionLine)
  if (m === null) return null
  return m[1] === '1' && m[2] !== undefined ? Number(m[2]) : Number(m[1])
}

export async function findJava (javaHome = process.env.JAVA_HOME): Promise<{ javaPath: string, javaVersionLine: string, javaMajor: number }> {
  const javaPath = javaHome !== undefined && javaHome !== '' ? join(javaHome, 'bin', 'java') : 'java'
  const r = await execa(javaPath, ['-version'], { reject: false, timeout: JAVA_PROBE_TIMEOUT_MS, stdin: 'ignore' })
  const where = javaPath === 'java' ? '`java` on PATH' : `${javaPath} (from JAVA_HOME)`
  if (r.exitCode !== 0) {
    const why = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(r.message ?? '') ? 'not found' : `failed: ${(r.stderr || r.message || '').split('\n')[0]}`
    throw new ClusterError('ERR_JAVA_NOT_FOUND', `Java ${JAVA_MAJOR_MIN}+ is needed to run Apache Kafka, and ${where} ${why}: install a JDK (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME`)
  }
  const javaVersionLine = `${r.stderr}`.split('\n')[0]?.trim() ?? ''
  const javaMajor = javaMajorOf(javaVersionLine)
  if (javaMajor === null || javaMajor < JAVA_MAJOR_MIN) {
    throw new ClusterError('ERR_JAVA_VERSION', `Apache Kafka 4 needs Java ${JAVA_MAJOR_MIN}+, but ${where} is "${javaVersionLine}": install a JDK ${JAVA_MAJOR_MIN}+ and put it first on PATH, or set JAVA_HOME`)
  }
  return { javaPath, javaVersionLine, javaMajor }
}

/** Finds Kafka's jars and a Java 17+; throws a ClusterError that says what to do. */
export async function locateKafka (opts: LocateOptions = {}): Promise<KafkaDist> {
  const kafka = findKafka(opts)
  const major = Number(kafka.kafkaVersion.split('.')[0])
  if (!(major >= KAFKA_MAJOR_MIN)) {
    throw new ClusterError('ERR_KAFKA_VERSION', `${kafka.origin} holds Kafka ${kafka.kafkaVersion}; the kafka backend needs Kafka ${KAFKA_MAJOR_MIN}.x (KRaft, log4j2): ${FETCH_HINT}`)
  }
  const java = await findJava(opts.javaHome)
  return { ...kafka, ...java }
}

/** For result.json's environment and reports. */
export function describeDist (dist: KafkaDist): Record<string, string> {
  return {
    kafka: `Apache Kafka ${dist.kafkaVersion} from ${dist.origin}`,
    java: `${dist.javaVersionLine} (${dist.javaPath})`,
  }
}

/** log4j2 configs in kafka/: INFO to stdout for nodes, WARN to stderr for tools. */
export const LOG4J_NODE_FILE = join(REPO_ROOT, 'kafka', 'log4j2-node.properties')
export const LOG4J_TOOL_FILE = join(REPO_ROOT, 'kafka', 'log4j2-tool.properties')

export interface JavaCommand {
  heapMb: number
  log4jFile: string
  mainClass: string
  args: readonly string[]
  /** C1 only: a short-lived tool starts in about half the time; not for nodes or measurements. */
  quickStart?: boolean
}

/** Arguments for `java`: a fixed small heap with SerialGC (three nodes and the tools fit on 2 cores), Kafka's jars. */
export function javaArgs (dist: KafkaDist, command: JavaCommand): string[] {
  return [
    `-Xms${command.heapMb}m`, `-Xmx${command.heapMb}m`, '-XX:+UseSerialGC',
    ...(command.quickStart === true ? ['-XX:TieredStopAtLevel=1'] : []),
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${command.log4jFile}`,
    '-cp', join(dist.libsDir, '*'),
    command.mainClass, ...command.args,
  ]
}
