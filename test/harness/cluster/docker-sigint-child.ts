// A harness that starts one broker container (and, without DOCKER_HOST, its own podman
// API service), says so on stdout, and waits to be interrupted: the test sends SIGINT and
// checks that nothing of it is left.

import { DockerBackend } from '../../../harness/cluster/docker-backend.ts'

const cluster = await new DockerBackend().start({ brokers: 1, brokerConfig: {} })
process.stdout.write(`${JSON.stringify({ project: cluster.project.options.project, engine: cluster.info().description, dockerHost: cluster.project.options.env.DOCKER_HOST ?? null })}\n`)
setInterval(() => {}, 1000)
