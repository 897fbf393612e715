import type { FastifyInstance } from 'fastify';
import { canActOn } from '@gradpass/core';
import { errors } from './schemas.js';
import { actorOf, tag } from './common.js';

/** 实时更新（SSE） */
export async function registerEventRoutes(app: FastifyInstance): Promise<void> {
  const streams = new Set<() => void>();
  // preClose: open event streams would otherwise keep a graceful shutdown waiting for ever.
  app.addHook('preClose', async () => {
    for (const stop of [...streams]) stop();
  });
  app.get(
    '/api/events',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: '实时更新（Server-Sent Events）：application / photo / certificate / export（本人的后台导出进度）',
        response: { 200: { type: 'string', description: 'text/event-stream' }, ...errors },
      },
    },
    (req, reply) => {
      const actor = actorOf(req);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const unsubscribe = app.ctx.events.subscribe((e) => {
        if (!canActOn(actor.core, e.orgPath)) return;
        if (actor.role === 'student' && e.data.studentId !== actor.studentId) return; // a student hears only about itself
        if (e.type === 'export' && e.data.userId !== actor.id) return; // an export's progress: its owner only
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      });
      const beat = setInterval(() => res.write(': ping\n\n'), 25_000);
      const stop = () => {
        clearInterval(beat);
        unsubscribe();
        streams.delete(stop);
        if (!res.writableEnded) res.end();
      };
      streams.add(stop);
      req.raw.on('close', stop);
    },
  );
}
