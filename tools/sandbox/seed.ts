import type { WeComSandbox } from './wecom-sandbox';

/** The sandbox's credentials, as `.env.example` has them, so `cp .env.example .env` points the bot at it. */
export const SANDBOX_CREDENTIALS = { corpId: 'wwsandbox0001', secret: 'sandbox-secret', agentId: 1000002 };

/** The sandbox's chat archive: where it keeps its records and keys, and the archive Secret its stub SDK asks for. */
export const SANDBOX_ARCHIVE = { dir: 'scratch/sandbox-archive', secret: 'sandbox-archive-secret' };

/** Two reps with their manager, and named customers: enough to play the method from the terminal. */
export function seedSandbox(sandbox: WeComSandbox): { reps: string[]; manager: string; customers: { id: string; remark: string; rep: string }[] } {
  sandbox.addUser({ userid: 'wangwu', name: '王五', position: '销售经理' });
  sandbox.addUser({ userid: 'zhangsan', name: '张三', direct_leader: ['wangwu'] });
  sandbox.addUser({ userid: 'lisi', name: '李四', direct_leader: ['wangwu'] });
  const customers = [
    { id: 'woWANG0000000001', name: '王建国', remark: '王总', company: '新疆某学校', rep: 'zhangsan', state: '询价单' },
    { id: 'woCHEN0000000002', name: '陈晓', remark: '陈经理', company: '华东某制造', rep: 'zhangsan', state: '官网' },
    { id: 'woLIU00000000003', name: '刘洋', remark: '刘总', company: '深圳某物流', rep: 'lisi', state: '电话' },
  ];
  for (const c of customers)
    sandbox.addContact({ external_userid: c.id, name: c.name, type: 1, corp_name: c.company }, [{ userid: c.rep, remark: c.remark, state: c.state }]);
  return { reps: ['zhangsan', 'lisi'], manager: 'wangwu', customers: customers.map((c) => ({ id: c.id, remark: c.remark, rep: c.rep })) };
}
