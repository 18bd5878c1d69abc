import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { CountryQueryDto, LanguageOrderDto } from './dto/country-query.dto';
import { LanguageOrderService } from './language-order.service';

@ApiTags('languages')
@Controller('languages')
export class LanguageOrderController {
  constructor(private readonly order: LanguageOrderService) {}

  @Get('order')
  @Public()
  // The same answer for everyone in a country, and it moves slowly: a minute in any cache is fine.
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOperation({
    summary: 'The curated languages spoken in a country, in the order a caller there sees them',
    description:
      'Most requested by callers in that country over the last 12 months first (a count under 5 counts as 0, so no small number ' +
      "can be read from the order), then by the number of active interpreters of that country's roster who speak it, then by name.",
  })
  @ApiOkResponse({ type: LanguageOrderDto })
  @ApiResponse({ status: 400, description: 'country is missing or not one of the eleven RCM codes (the field is named)' })
  async get(@Query() q: CountryQueryDto): Promise<LanguageOrderDto> {
    return { languageIds: await this.order.order(q.country) };
  }
}
