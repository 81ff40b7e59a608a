/**
 * The reader's lexicon: for each signal, the cues that trigger it, as patterns over the normalised message. Every
 * signal the reader returns names the cue that fired, so each decision can be explained to the rep in the customer's
 * own words. Weights say how sure a cue is on its own (0–1); several pieces of evidence add up (see suggestion.ts).
 */

export const SIGNALS = ['price', 'competitors', 'undecided', 'proposal_request', 'decision_timing'] as const;
export type SignalKind = (typeof SIGNALS)[number];

export interface Cue {
  signal: SignalKind;
  /** Matched against the normalised clause (full-width folded, lower case). */
  re: RegExp;
  weight: number;
  /**
   * Short cues that must stand as whole words in the segmentation (价 not inside 评价; 贵 not inside 贵公司); longer
   * phrases are matched as they are.
   */
  word?: boolean;
}

const cue = (signal: SignalKind, weight: number, words: string[], word = false): Cue[] => words.map((w) => ({ signal, weight, re: new RegExp(w, 'u'), word }));

/** What a customer asks to take away: a proposal, a quote sheet, materials. */
const DOC =
  '(方案|建议书|报价单|报价明细|价目表|价格表|资料|材料|产品介绍|介绍资料|手册|彩页|ppt|演示文稿|视频(?!会议|通话|号|会|电话)|案例|白皮书|解决方案|规划|计划书|功能清单|配置单|清单|文档|说明书|初稿|书面的?(东西|材料)?|电子版|资质)';

/** Vendors a Chinese B2B buyer of sales and collaboration software names when comparing (names are competitors). */
const VENDORS = [
  '纷享销客',
  '销售易',
  '尘锋',
  '微伴',
  '探马',
  '句子互动',
  '卫瓴',
  '企微管家',
  'salesforce',
  '用友',
  '金蝶',
  '钉钉',
  '飞书',
  'hubspot',
  '红圈',
  '励销',
];

export const CUES: Cue[] = [
  // price — asks for a price, a quote, a discount, the fee model
  ...cue('price', 0.9, [
    '报(个|一下|下)?价',
    '多少钱',
    '什么价',
    '(价格|价钱|价位|报价|单价|总价|费用|收费)(是)?(多少|怎么(算|样|收)|大概|贵不贵|能不能|高吗|怎么样)',
    '怎么(收费|计费|卖)',
    '收费(标准|方式|模式)',
    '(按年|按月|按人头|按账号|按用户|每个账号|一年)(多少|怎么|收费|付费|费用)',
    '(优惠|折扣|打折|打(个|几)?[一二三四五六七八九几]?折|[一二三四五六七八九]折|几折|便宜|让利|降价|底价|最低价|最低多少)',
    '(报价|价格表|价目表|年费|月费|年付|月付|按年付|花多少|几百块|几千块|多少块)',
    '(how much|price|pricing|quote|quotation|discount|cost)',
    '(一年|一个人|每年|每人|每个月|一个月)?(要|得|需要)(花)?多少',
    '(几万|几千|多少万|多少钱)',
    '(实施费|服务费|维护费|培训费|续费|开通费)',
    '((知道|了解|问问|算算|核算)(一下)?成本|成本(多少|怎么))',
  ]),
  ...cue('price', 0.7, ['(价格|价钱|价位|定价|费用|收费|预算多少)', '太贵', '有点贵', '偏贵'], false),
  ...cue('price', 0.6, ['贵(?!公司|司|方|单位|姓|宾)', '价', '钱'], true),
  // competitors — has seen or is comparing other vendors, names one, mentions a tender
  ...cue('competitors', 0.9, [
    '(别家|别的家|其他家|其它家|另外(一|两|几|三)?家|别的(厂家|公司|供应商|厂商)|其他(厂家|公司|供应商|厂商))',
    '(好几家|几家|两家|三家|多家|两三家|四五家|三四家)',
    '([两三四五六七八九几多]|好几|四五|三四|两三)个?(厂家|供应商|厂商|品牌|服务商)',
    '有(一)?家(说|报|给|做|能|可以|的|公司|厂|供应商)',
    '还有(一)?家',
    '(好几|几|多|两|三)个(产品|系统|平台|软件)',
    '(选型|多方(比较|对比|了解))',
    '合同(快|马上)?(要)?到期',
    '在(看|找)(新的|替代|别的)',
    '我们在比(较)?$',
    '(比你们|比你家)(便宜|低|好|强|快)',
    '只要你们(的)?(一半|一折|几折)',
    '(已经|现在|目前)有(供应商|厂家|服务商|合作方)',
    '(也|还)在(看|谈|聊|接触|用)(别的|其他|其它|另外)',
    '(另一家|另外一家|另一个(品牌|厂商|厂家|供应商|产品)|别的品牌)',
    '(之前|以前|现在|目前|原来)(用|在用)的(那个|这个)?(系统|软件|产品|平台|工具)',
    '想换(一个|一家|个|掉)',
    '有(个|一个|一家)(供应商|服务商|厂商|厂家)',
    '(别人|别家|人家)(没有|也能|也可以|都能|都有)',
    '(市面上|市场上)(这类|同类|类似)',
    '(poc|初选|入围|短名单|候选名单|备选)',
    '(几个|多个|两个|三个)方案(里|中|之间)',
    '(朋友|同行|别人)推荐(了|的)',
    '(服务商|供应商)(合同|到期)',
    '同类(的)?产品',
    '(来|过来)?演示过',
    '看过(一个|几个|别的|其他)?(的)?演示',
    '跟你们(的)?(差不多|一样|类似)',
    '横向(比较|对比)',
    '(友商|竞品|竞争对手|同行(?!业))',
    '(招标|投标|评标|开标|比选|竞标|竞争性谈判|询比价|公开采购|政府采购)',
    '货比三家',
    '(现在|目前|之前|以前|已经)在?用(的)?(是)?(别的|其他|另一个|另外的)',
    '(人家|他们家)(的)?(报价|方案|价格|产品|便宜)',
    ...VENDORS,
  ]),
  ...cue('competitors', 0.7, ['(优势|特色|区别|不同之处|亮点|强在)(是什么|在哪|有哪些|是啥|有啥)', '有什么(优势|特色|区别|不一样)']),
  ...cue('competitors', 0.8, ['(和|跟|与)[^，。]{1,8}?(比|相比|比起来|比较)(怎么样|如何|呢|哪个|有什么|有啥|强|好|差)']),
  ...cue('competitors', 0.8, ['(对比一下|对比对比|做(个|一下)?(对比|比较)|比较一下|比较比较|在比较|在对比|比一比|比比看|pk)']),
  // undecided — has not decided whether to buy, is researching, no budget or project yet
  ...cue('undecided', 0.9, [
    '(还)?没(想好|定好|决定|确定|拿定主意)',
    '(还)?不确定',
    '要不要(上|买|做|换|用|采购|引进)',
    '需不需要',
    '有没有必要',
    '(还在|正在|先)(考虑|研究|调研|评估|观望)',
    '观望',
    '(先|就是|只是|随便)(了解|看看|问问|咨询)(?![^，。]{0,3}(价|费用|多少钱|收费))',
    '了解一下',
    '(没有?|还没|暂时没|没)(预算|立项|项目|计划|需求)',
    '预算(还)?(没|未|不)(批|定|下来|确定|到位)',
    '(领导|老板|上面)(还)?(没|未)(同意|批|拍板|点头|决定)',
    '(明年|以后|下半年|过段时间|过阵子)(再说|再看|再考虑|才有预算|才有)',
    '暂时(不|还不)(需要|考虑|打算)',
    '看看再说',
    '(调研|摸底|摸个底|初步了解|初步接触|犹豫|纠结)',
    '不太(确定|清楚要不要)',
    '(项目|需求|计划)?还没(启动|开始)',
    '还没到(采购|购买|签约|下单)',
    '还?没(这个|这方面的?|相关)?(需求|计划|打算)',
    '自己(开发|做一套|搞)',
    '研究(一下|研究)',
    '定下来',
    '(摸索|论证|学习一下|收集(一下)?信息|观察一下|先不动)',
    '初步(的)?(想法|了解|接触|阶段|意向)',
    '还不清楚(我们)?(到底)?(需要|要不要|要什么)',
    '(明年|下半年|年后|年底|q[1-4]).{0,4}(才|再)(会)?(考虑|做|上|说|启动)',
    '(领导|老板|上面|上级)(那边)?(还)?(没|未)(松口|同意|批|拍板|点头|决定|表态)',
    '没有?(采购|购买|上线)?(计划|打算)',
    '(不急|慢慢来|不着急)',
    '看(老板|领导|上面)的意思',
    '预算(已经)?(用完|花完|没了|紧张)',
    '等.{0,6}预算',
    '没到(那个|这个|那一|这一)?(阶段|步)',
    '有(需求|需要)(的时候)?再',
    '还在规划',
    '(?<!主)要看.{0,8}(情况|业务)(再)?',
    '意见(还)?没(统一|一致)',
    '(看看|看下|看一下)有没有必要',
    '等[^，。]{0,6}(决定|拍板|同意|批|点头)(了)?再',
    '摸(摸|一下|一摸)?(情况|底)',
    '没想(好|清楚|明白)',
    '(讨论|考虑|商量|研究)要不要',
    '(以后|之后|将来|到时候?)有(需要|需求)',
    '有(需要|需求)(再)?找你',
    '(只是|就是|目前|现在)[^，。]{0,3}有(这个|这么个|个)?想法',
    '预算[^，。]{0,4}(还)?(要|得)等',
    '先不考虑',
    '不一定(会)?(买|上|用|做|采购|要)',
    '(了解|调研|初步|考察)阶段',
  ]),
  // proposal_request — asks for a proposal, a plan, 建议书, 报价单 or materials to take away
  ...cue('proposal_request', 0.95, [
    `(?<!感谢|谢谢|多谢)(发|给|出|做|整理|整|传|准备|提供|写|来)(?![了过的]|来的|过来的)(一下|下)?(我们|我)?(出|做|写)?(一份|一个|一套|个|份|套|点|些|几个|几张|几份)?(你们的)?[\\u4e00-\\u9fa5]{0,5}?${DOC}`,
    `${DOC}(麻烦)?(先)?(发|给|传)(我|过来|一下|一份|给我|到)`,
    `(${DOC}|介绍)(有吗|有没有|能发|可以发)`,
    `有没有[\\u4e00-\\u9fa5]{0,6}?${DOC}`,
    `有[\\u4e00-\\u9fa5]{0,10}?${DOC}(吗|么|没有|可以|能|分享|参考|发)`,
    '(出|做|整)(个|一个|一份|份)(正式的|详细的)?报价',
    `(让|叫|要|请)(我|我们)(发|出|做|写|准备|整理|提供)[^，。]{0,6}?${DOC}`,
    `(要|想要|想看|看看|需要)(一份|一下|个|份)?(你们的)?[\\u4e00-\\u9fa5]{0,4}?${DOC}`,
    `${DOC}(的话)?(麻烦|辛苦|请)?(尽快|抓紧|早点|快点)`,
    `(${DOC}|介绍)(能|可以|方便)?(分享|共享)(一下|下)?`,
    `有(没有)?[\\u4e00-\\u9fa5]{0,6}?介绍(吗|么|没有|可以|能|分享|参考|发)`,
    '东西(可以|能|方便)?(给|发)(我|我们|领导|老板|看)',
    '改(一下|下)?再发',
    '(send|share|email)( me| us)?( the| a| your| some)? ?(proposal|deck|brochure|datasheet|materials|case stud|solution|slides)',
  ]),
  // decision_timing is read with the date reader (reader.ts), not by these cues alone
];

/** The customer making their own document (「我们先内部出个方案」, 「我这边整理一下需求发你」): not a request to us. */
export const SELF_MADE = /(?<![给帮为替跟和与向让叫要请])(我们|我)(这边|自己|先|内部|会|再|已经)*(给你们?)?(出|做|写|整理|发|准备|传)/u;

/** Words that turn a cue off when they come just before it in the same clause (「没找别家」, 「不需要方案」). */
export const NEGATORS = ['不', '没', '没有', '无', '别', '不用', '不需要', '不要', '未', '非', '并非', '不是', '无需', '甭', '免'];
/**
 * Undecided cues are negative already (没想好, 预算还没批), and a 没 or 还没 before them keeps them undecided (「还没定下来
 * 要不要做」); only a denial turns them off (「不是没预算」).
 */
export const UNDECIDED_NEGATORS = ['不是', '并非', '并不是', '不是说'];

/**
 * Words that turn a cue off when they follow it in the same clause (「价格不是问题」, 「方案就不用发了」).
 */
export const AFTER_NEGATION =
  /^.{0,4}?(不是问题|无所谓|不重要|其次|好说|不在乎|不是重点|不是关键|不用|不需要|不要了|就算了|先不|没关系|都行)|^的?问题|^.{0,4}?(谈好|说好|定好|敲定)|^.{0,2}?(还行|还可以|可以接受|能接受|没问题)/u;

/** After a quote or a document: it has already come and been read (「报价单收到了」, 「方案我们在评审」). */
export const ALREADY_HAD = /^.{0,6}?(收到|看过|看了|审过|审了|下载了|转给|已经发|在评审|在看)/u;

/** A clause ends at punctuation or a contrast word; what follows 但是 / 而是 / 不过 is read on its own. */
export const CLAUSE_BREAK = /[，,。.！!？?；;～~…\n]|(?<=[\u4e00-\u9fff]{4})\s+(?=[\u4e00-\u9fff]{4})|但是|但|不过|可是|而是|只是说|主要是/u;

/** Words (whole tokens) that say the customer will decide, settle or answer by a date (with the date reader). */
export const DECIDE_WORDS = new Set([
  '定',
  '定下来',
  '定下',
  '决定',
  '拍板',
  '敲定',
  '结论',
  '答复',
  '回复',
  '结果',
  '签',
  '签约',
  '签合同',
  '下单',
  '采购',
  '定方案',
  '确定',
]);
/** …unless they say they cannot (「下周还定不了」). */
export const CANNOT_DECIDE = /定不了|定不下来|没法定|还没法|说不好|不一定/u;
